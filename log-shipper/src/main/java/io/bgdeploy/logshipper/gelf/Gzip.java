package io.bgdeploy.logshipper.gelf;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) into a byte array, with one {@link Deflater} per thread used again for every
 * payload. A {@code GZIPOutputStream} per message allocates a new deflater and its native buffers
 * each time, which cost more than compressing a log line itself.
 */
public final class Gzip {

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};
    private static final int TRAILER_BYTES = 8;
    private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));

    private Gzip() {
    }

    /** The gzip member of {@code data} compressed at {@code level} (a {@link Deflater} level). */
    public static byte[] compress(byte[] data, int level) {
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        deflater.setLevel(level);
        deflater.setInput(data);
        deflater.finish();
        byte[] out = Arrays.copyOf(HEADER, HEADER.length + data.length + data.length / 8 + 64);
        int length = HEADER.length;
        while (!deflater.finished()) {
            if (length == out.length - TRAILER_BYTES) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            length += deflater.deflate(out, length, out.length - TRAILER_BYTES - length);
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        length = writeIntLittleEndian(out, length, (int) crc.getValue());
        length = writeIntLittleEndian(out, length, data.length);
        return Arrays.copyOf(out, length);
    }

    private static int writeIntLittleEndian(byte[] out, int at, int value) {
        for (int i = 0; i < 4; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
        return at + 4;
    }
}
