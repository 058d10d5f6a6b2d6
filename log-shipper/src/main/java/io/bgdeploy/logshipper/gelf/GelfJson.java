package io.bgdeploy.logshipper.gelf;

import io.bgdeploy.logshipper.model.GelfMessage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The JSON form of a GELF 1.1 message: what the TCP and HTTP inputs take as is and what UDP
 * compresses. Control characters (NUL included) are escaped, so a NUL byte never appears inside a
 * TCP frame; text outside the Basic Multilingual Plane is written as proper UTF-8.
 */
public final class GelfJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private GelfJson() {
    }

    public static byte[] encode(GelfMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + message.text().length() * 2);
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
            for (Map.Entry<String, String> field : message.fields().entrySet()) {
                json.writeStringField(field.getKey(), field.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GELF JSON", e);
        }
        return out.toByteArray();
    }
}
