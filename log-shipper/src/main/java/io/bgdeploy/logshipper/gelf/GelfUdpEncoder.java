package io.bgdeploy.logshipper.gelf;

import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTruncation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

/**
 * GELF over UDP: the JSON gzip-compressed, in one datagram when it fits, else chunked per the
 * specification (magic {@code 0x1e 0x0f}, 8-byte message id, sequence number, sequence count,
 * at most {@value #MAX_CHUNKS} chunks). A message that would need more chunks is truncated
 * further (with the marker) until it fits: it is never sent in a form Graylog would discard.
 */
public final class GelfUdpEncoder {

    public static final int MAX_CHUNKS = 128;
    public static final int CHUNK_HEADER_BYTES = 12;
    /** Fits an Ethernet MTU of 1500 after IP and UDP headers, with room for tunnels. */
    public static final int DEFAULT_DATAGRAM_BYTES = 1420;

    private static final byte MAGIC_1 = 0x1e;
    private static final byte MAGIC_2 = 0x0f;

    private final int datagramBytes;

    public GelfUdpEncoder(int datagramBytes) {
        if (datagramBytes < 512 || datagramBytes > 65_000) {
            throw new IllegalArgumentException("UDP datagram size must be 512..65000 bytes, was " + datagramBytes);
        }
        this.datagramBytes = datagramBytes;
    }

    /** The message as a result that fits the chunk limit, with the message that was actually encoded. */
    public record Encoded(GelfMessage message, List<byte[]> datagrams) {
    }

    public Encoded encode(GelfMessage message) {
        return encode(message, GelfJson.encode(message));
    }

    /** As {@link #encode(GelfMessage)}, with the message's JSON made already. */
    public Encoded encode(GelfMessage message, byte[] json) {
        GelfMessage current = message;
        for (int attempt = 0; ; attempt++) {
            byte[] gzipped = gzip(attempt == 0 ? json : GelfJson.encode(current));
            List<byte[]> datagrams = chunk(gzipped);
            if (datagrams != null) {
                return new Encoded(current, datagrams);
            }
            int textBytes = GelfTruncation.utf8Length(current.text());
            long capacity = (long) MAX_CHUNKS * (datagramBytes - CHUNK_HEADER_BYTES);
            int target = (int) Math.min(textBytes - 1L, (long) (textBytes * (double) capacity / gzipped.length * 0.9));
            if (attempt >= 8) {
                target = textBytes / 2;
            }
            if (textBytes <= GelfTruncation.MIN_BUDGET) {
                throw new IllegalStateException("a GELF message with " + textBytes
                        + " bytes of text does not fit " + MAX_CHUNKS + " chunks of " + datagramBytes + " bytes");
            }
            current = GelfTruncation.shrink(current, Math.max(GelfTruncation.MIN_BUDGET, target));
        }
    }

    /** The datagrams for a compressed payload, or {@code null} if it needs more than {@value #MAX_CHUNKS} chunks. */
    List<byte[]> chunk(byte[] payload) {
        if (payload.length <= datagramBytes) {
            return List.of(payload);
        }
        int room = datagramBytes - CHUNK_HEADER_BYTES;
        int count = (payload.length + room - 1) / room;
        if (count > MAX_CHUNKS) {
            return null;
        }
        long messageId = ThreadLocalRandom.current().nextLong();
        List<byte[]> chunks = new ArrayList<>(count);
        for (int seq = 0; seq < count; seq++) {
            int from = seq * room;
            int length = Math.min(room, payload.length - from);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_HEADER_BYTES + length);
            chunk.put(MAGIC_1).put(MAGIC_2).putLong(messageId).put((byte) seq).put((byte) count);
            chunk.put(payload, from, length);
            chunks.add(chunk.array());
        }
        return chunks;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 3));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
