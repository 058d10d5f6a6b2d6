package io.bgdeploy.logshipper.gelf;

import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTruncation;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;

/**
 * GELF over UDP. A message whose JSON fits one datagram goes as it is, uncompressed: the GELF
 * specification allows uncompressed UDP, and Graylog reads a datagram that starts with neither
 * the gzip, the zlib nor the chunk magic bytes as plain JSON. Compressing a log line of a few
 * hundred bytes would cost most of the CPU time of shipping it and save a few hundred bytes on
 * the wire. A larger message is gzip-compressed, in one datagram when that fits, else chunked per
 * the specification (magic {@code 0x1e 0x0f}, 8-byte message id, sequence number, sequence count,
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

    /** The payload of a message that fits the chunk limit, with the message that was actually encoded. */
    public record Payload(GelfMessage message, byte[] bytes) {
    }

    /** Encodes and chunks a message, cut further if it would not fit {@value #MAX_CHUNKS} chunks. */
    public Encoded encode(GelfMessage message) {
        Payload payload = payload(message);
        return new Encoded(payload.message(), chunk(payload.bytes()));
    }

    /**
     * What goes over UDP for this message: its JSON if that fits one datagram, else the JSON
     * gzip-compressed, small enough for {@value #MAX_CHUNKS} chunks; if it is not, the text is cut
     * further (with the marker) until it is. Thread-safe.
     */
    public Payload payload(GelfMessage message) {
        byte[] json = GelfJson.encode(message);
        if (json.length <= datagramBytes) {
            return new Payload(message, json);
        }
        GelfMessage current = message;
        for (int attempt = 0; ; attempt++) {
            byte[] gzipped = Gzip.compress(attempt == 0 ? json : GelfJson.encode(current), Deflater.DEFAULT_COMPRESSION);
            if (fits(gzipped.length)) {
                return new Payload(current, gzipped);
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

    private boolean fits(int payloadBytes) {
        int room = datagramBytes - CHUNK_HEADER_BYTES;
        return payloadBytes <= datagramBytes || (payloadBytes + room - 1) / room <= MAX_CHUNKS;
    }

    /** The datagrams for a payload made by {@link #payload(GelfMessage)}: itself if it fits one, else chunks. */
    public List<byte[]> chunk(byte[] payload) {
        if (payload.length <= datagramBytes) {
            return List.of(payload);
        }
        if (!fits(payload.length)) {
            throw new IllegalArgumentException(payload.length + " bytes need more than " + MAX_CHUNKS + " chunks");
        }
        int room = datagramBytes - CHUNK_HEADER_BYTES;
        int count = (payload.length + room - 1) / room;
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

}
