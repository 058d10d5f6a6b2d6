package io.bgdeploy.infra.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The chaos markers in the messages the GELF receiver wrote to its file (one JSON message a line),
 * read on from where the last call stopped.
 */
final class ReceivedLogLines {

    private final Path gelfFile;
    private final Set<String> markers = new HashSet<>();
    private long offset;

    ReceivedLogLines(Path gelfFile) {
        this.gelfFile = gelfFile;
    }

    /** Reads the lines added since the last call; returns every marker received so far. */
    synchronized Set<String> markers() {
        if (!Files.exists(gelfFile)) {
            return Set.copyOf(markers);
        }
        try (RandomAccessFile file = new RandomAccessFile(gelfFile.toFile(), "r")) {
            long length = file.length();
            if (length > offset) {
                file.seek(offset);
                byte[] bytes = new byte[(int) (length - offset)];
                file.readFully(bytes);
                int lastNewline = lastIndexOf(bytes, (byte) '\n');
                if (lastNewline >= 0) {
                    String complete = new String(bytes, 0, lastNewline + 1, StandardCharsets.UTF_8);
                    complete.lines().forEach(line -> LogMarkers.in(line).ifPresent(markers::add));
                    offset += lastNewline + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GELF receiver's file " + gelfFile, e);
        }
        return Set.copyOf(markers);
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
