package io.bgdeploy.logshipper.gelf;

import io.bgdeploy.logshipper.model.GelfFields;
import io.bgdeploy.logshipper.model.GelfMessage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The JSON form of a GELF 1.1 message: what the TCP and HTTP inputs take as is and what UDP
 * compresses. Control characters (NUL included) are escaped, so a NUL byte never appears inside a
 * TCP frame; text outside the Basic Multilingual Plane is written as proper UTF-8.
 */
public final class GelfJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** A thread keeps its buffer up to this size; one grown larger for a big message is dropped at the next. */
    private static final int KEPT_BUFFER_BYTES = 64 * 1024;
    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);

    private GelfJson() {
    }

    public static byte[] encode(GelfMessage message) {
        Buffer out = BUFFER.get();
        out.reset();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("version", GelfMessage.VERSION);
            json.writeStringField("host", message.host());
            json.writeStringField("short_message", message.shortMessage());
            if (message.fullMessage() != null) {
                json.writeStringField("full_message", message.fullMessage());
            }
            json.writeFieldName("timestamp");
            json.writeNumber(message.timestamp());
            json.writeNumberField("level", message.level());
            GelfFields fields = message.fields();
            for (int i = 0; i < fields.size(); i++) {
                json.writeStringField(fields.name(i), fields.value(i));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GELF JSON", e);
        }
        return out.toByteArray();
    }

    /**
     * The bytes Jackson writes, in an array used again for every message of a thread: the only
     * copy made is the message's own array.
     */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[4096];
        private int size;

        void reset() {
            if (bytes.length > KEPT_BUFFER_BYTES) {
                bytes = new byte[4096];
            }
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
