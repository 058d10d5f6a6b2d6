package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.CriLine;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.model.LogFileName;
import io.bgdeploy.logshipper.model.PodDirectory.PodIdentity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows one CRI log file: reads complete lines from the last position, joins partial lines per
 * stream, and follows rotation. A rename rotation (the kubelet's) is noticed by the path pointing
 * to another file: the old file, still open, is read to its end first, then the new one from its
 * start. A copytruncate rotation is noticed by the file becoming shorter than the position: reading
 * restarts at 0. {@link #safePosition()} is where a restart may resume without loss: before the
 * first part of a line not complete yet.
 */
final class FileTailer implements AutoCloseable {

    private static final int READ_BYTES = 1024 * 1024;
    private static final PodIdentity NO_IDENTITY = new PodIdentity(null, null, null);

    private final Path path;
    private final LogFileName name;
    private final String node;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
    private final Map<String, Joining> joining = new HashMap<>();

    private final long discoveredAt = System.nanoTime();
    private FileChannel channel;
    private String fileKey;
    /** Who wrote the lines read in this poll: the pod's identity, or none. */
    private PodIdentity identity = NO_IDENTITY;
    private long position;
    private boolean gone;

    /** A line being joined from partial parts. */
    private static final class Joining {
        final Instant time;
        final long startPosition;
        final StringBuilder text = new StringBuilder();
        boolean cut;

        Joining(Instant time, long startPosition) {
            this.time = time;
            this.startPosition = startPosition;
        }
    }

    FileTailer(Path path, LogFileName name, String node, int maxLineBytes, Positions.Position resume) throws IOException {
        this.path = path;
        this.name = name;
        this.node = node;
        this.maxLineBytes = maxLineBytes;
        open();
        if (resume != null && resume.fileKey().equals(fileKey) && resume.offset() <= channel.size()) {
            position = resume.offset();
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        fileKey = keyOf(path);
        position = 0;
    }

    static String keyOf(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return key != null ? key.toString() : path.toRealPath().toString();
    }

    Path path() {
        return path;
    }

    LogFileName name() {
        return name;
    }

    /** When this tailer was created, from {@link System#nanoTime()}. */
    long discoveredAt() {
        return discoveredAt;
    }

    boolean gone() {
        return gone;
    }

    Positions.Position safePosition() {
        long safe = position;
        for (Joining j : joining.values()) {
            safe = Math.min(safe, j.startPosition);
        }
        return new Positions.Position(fileKey, safe);
    }

    /** Reads what was appended since the last call, following rotation; the records carry the pod's identity, if known. */
    void poll(List<ContainerLogRecord> out, PodIdentity pod) throws IOException {
        identity = pod == null ? NO_IDENTITY : pod;
        String keyNow;
        try {
            keyNow = keyOf(path);
        } catch (NoSuchFileException e) {
            keyNow = null;
        }
        if (keyNow != null && keyNow.equals(fileKey) && channel.size() < position) {
            position = 0;
            joining.clear();
        }
        readToEnd(out);
        if (keyNow == null) {
            flushPartials(out);
            gone = true;
        } else if (!keyNow.equals(fileKey)) {
            channel.close();
            open();
            readToEnd(out);
        }
    }

    private void readToEnd(List<ContainerLogRecord> out) throws IOException {
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                return;
            }
            byte[] bytes = buffer.array();
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    line(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8), position + lineStart, out);
                    lineStart = i + 1;
                }
            }
            if (lineStart == 0 && n == READ_BYTES) {
                line(new String(bytes, 0, n, StandardCharsets.UTF_8), position, out);
                lineStart = n;
            }
            position += lineStart;
            if (lineStart == 0 || n < READ_BYTES) {
                return;
            }
        }
    }

    private void line(String raw, long start, List<ContainerLogRecord> out) {
        CriLine cri = CriLine.parse(raw).orElse(null);
        if (cri == null) {
            return;
        }
        Joining j = joining.get(cri.stream());
        if (j == null) {
            if (!cri.partial()) {
                out.add(record(cri.time(), cri.stream(), cri.text()));
                return;
            }
            j = new Joining(cri.time(), start);
            joining.put(cri.stream(), j);
        }
        append(j, cri.text());
        if (!cri.partial()) {
            joining.remove(cri.stream());
            out.add(record(j.time, cri.stream(), finish(j)));
        }
    }

    private void append(Joining j, String part) {
        if (j.cut) {
            return;
        }
        j.text.append(part);
        if (j.text.length() > maxLineBytes && GelfTruncation.utf8Length(j.text) > maxLineBytes) {
            j.cut = true;
        }
    }

    private String finish(Joining j) {
        String text = j.text.toString();
        if (!j.cut) {
            return text;
        }
        return GelfTruncation.truncate(text, maxLineBytes, GelfTruncation.utf8Length(text));
    }

    private void flushPartials(List<ContainerLogRecord> out) {
        joining.forEach((stream, j) -> out.add(record(j.time, stream, finish(j))));
        joining.clear();
    }

    private ContainerLogRecord record(Instant time, String stream, String text) {
        return new ContainerLogRecord(time, stream, text, name.namespace(), identity.app(), identity.version(), name.pod(),
                name.container(), node, identity.deploymentId());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
