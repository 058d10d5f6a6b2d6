package io.bgdeploy.localplatform;

import com.fasterxml.jackson.core.type.TypeReference;
import io.bgdeploy.events.logs.ContainerLogRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The output files of one local container, as the kubelet keeps them: the process writes its
 * stdout and stderr straight into two files (opened for append, so the files survive the supervisor
 * and are written while no supervisor runs), and the platform reads them from the positions saved
 * in a third file. A position moves only past lines the sink confirmed, so a supervisor killed at
 * any moment reads again at most the lines of one round, and loses none. Once every line of a
 * file larger than the size bound is delivered, the file is truncated (the process keeps
 * appending at its new end).
 *
 * <p>Used by the platform's single log thread only ({@link LogFollower}).
 */
final class ContainerLogFiles {

    private static final Log LOG = Log.of(ContainerLogFiles.class);
    /** Longer lines are cut (in characters). */
    static final int MAX_LINE_CHARS = 16 * 1024;
    /** Bytes without a line end beyond this many are delivered as a line (cut), as a pipe reader would. */
    private static final int MAX_PENDING_BYTES = 4 * MAX_LINE_CHARS;
    /** The size of the buffer {@link #read} reads into. */
    static final int READ_BYTES = 256 * 1024;
    private static final List<String> STREAMS = List.of(ContainerLogRecord.STDOUT, ContainerLogRecord.STDERR);
    private static final TypeReference<Map<String, Long>> POSITIONS = new TypeReference<>() {
    };

    /** Who wrote the lines: the record's fields other than time, stream and text. */
    record Source(String namespace, String app, String version, String pod, String container, String node,
                  String deploymentId) {
    }

    /** One line handed to the sink: its confirmation, and the position in its file just past it. */
    record Sent(CompletableFuture<?> confirmation, long upTo) {

        boolean confirmed() {
            return confirmation.isDone() && !confirmation.isCompletedExceptionally();
        }
    }

    /** The lines of one round, per stream in file order, and what the sink made of them. */
    record Batch(ContainerLogFiles files, Map<String, List<Sent>> sent) {

        int lines() {
            return sent.values().stream().mapToInt(List::size).sum();
        }

        /** Whether the sink gave its verdict on every line (confirmed or refused). */
        boolean settled() {
            return sent.values().stream().flatMap(List::stream).allMatch(s -> s.confirmation().isDone());
        }

        boolean allConfirmed() {
            return sent.values().stream().flatMap(List::stream).allMatch(Sent::confirmed);
        }

        CompletableFuture<?>[] confirmations() {
            return sent.values().stream().flatMap(List::stream).map(Sent::confirmation).toArray(CompletableFuture[]::new);
        }
    }

    private final Source source;
    private final Path dir;
    private final Map<String, Long> positions;
    private volatile String lastErrorLine;
    /** Whether more than the size bound is written and not delivered yet (warned once per episode). */
    private boolean behind;

    ContainerLogFiles(Path podDir, Source source) {
        this.source = source;
        this.dir = podDir;
        this.positions = new HashMap<>(readPositions());
    }

    /** The directory of a pod's log files under the platform's state directory. */
    static Path podDir(Path stateDir, String namespace, String podName) {
        return stateDir.resolve("logs").resolve(namespace + "_" + podName);
    }

    Source source() {
        return source;
    }

    /** The file the process's stream is appended to. */
    Path file(String stream) {
        return dir.resolve(source.container() + "." + stream + ".log");
    }

    private Path positionsFile() {
        return dir.resolve(source.container() + ".positions.json");
    }

    /** Creates the directory; the process's output goes to {@link #file} from its start. */
    void prepare() throws IOException {
        Files.createDirectories(dir);
    }

    /** The last stderr line delivered, to name why a container ended. */
    String lastErrorLine() {
        return lastErrorLine;
    }

    /**
     * The bytes written and not delivered yet, of both streams (a truncated file counts from its start).
     */
    long unreadBytes() {
        return STREAMS.stream().mapToLong(this::unreadBytes).sum();
    }

    private long unreadBytes(String stream) {
        try {
            long size = Files.size(file(stream));
            long position = positions.getOrDefault(stream, 0L);
            return size < position ? size : size - position;
        } catch (IOException notYet) {
            return 0; // no file yet: nothing written
        }
    }

    /**
     * Notes how far the sink is behind this container; says so once when the backlog passes the
     * size bound (the files then grow past it, as nothing undelivered is cut) and once when it is
     * back under it.
     */
    void noteBacklog(long unreadBytes, long maxFileBytes) {
        if (unreadBytes > maxFileBytes && !behind) {
            LOG.warn("pod %s container %s: %d bytes written and not delivered yet, the sink takes lines slower than the"
                    + " container writes them: they wait in its log files, which grow past %d bytes until it catches up",
                    source.pod(), source.container(), unreadBytes, maxFileBytes);
        } else if (unreadBytes <= maxFileBytes && behind) {
            LOG.info("pod %s container %s: its log lines are delivered as fast as it writes them again", source.pod(),
                    source.container());
        }
        behind = unreadBytes > maxFileBytes;
    }

    /**
     * Reads the lines written since the saved positions, as many as the allowance takes, and hands
     * each to the sink. The streams share the allowance: while both have unread lines, stdout may use
     * half of it and stderr the rest.
     *
     * @param toTheEnd  also a last line without end (the process is gone, nothing will complete it)
     * @param buffer    where to read, of {@link #READ_BYTES} (the caller's, reused for every file)
     * @param allowance how many lines and bytes this round may take; what is taken is counted in it
     */
    Batch read(ContainerLogSink sink, boolean toTheEnd, ByteBuffer buffer, LogAllowance allowance) {
        Map<String, List<Sent>> sent = new HashMap<>();
        boolean both = unreadBytes(ContainerLogRecord.STDERR) > 0;
        LogAllowance stdout = both ? allowance.half() : allowance;
        sent.put(ContainerLogRecord.STDOUT, readStream(ContainerLogRecord.STDOUT, sink, toTheEnd, buffer, stdout));
        if (both) {
            allowance.giveBack(stdout);
        }
        sent.put(ContainerLogRecord.STDERR, readStream(ContainerLogRecord.STDERR, sink, toTheEnd, buffer, allowance));
        return new Batch(this, sent);
    }

    private List<Sent> readStream(String stream, ContainerLogSink sink, boolean toTheEnd, ByteBuffer buffer,
                                  LogAllowance allowance) {
        List<Sent> sent = new ArrayList<>();
        long position = positions.getOrDefault(stream, 0L);
        try {
            if (Files.size(file(stream)) == position) {
                return sent;
            }
        } catch (IOException notYet) {
            return sent;
        }
        try (FileChannel channel = FileChannel.open(file(stream), StandardOpenOption.READ)) {
            if (channel.size() < position) {
                LOG.debug("pod %s container %s: %s shorter than its position (truncated): read from its start",
                        source.pod(), source.container(), stream);
                position = 0;
            }
            while (!allowance.exhausted()) {
                buffer.clear();
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    return sent;
                }
                byte[] bytes = buffer.array();
                int start = 0;
                boolean full = false;
                for (int i = 0; i < n && !full; i++) {
                    if (bytes[i] == '\n') {
                        full = !allowance.take(i + 1 - start);
                        if (!full) {
                            sent.add(new Sent(deliver(sink, stream, bytes, start, i), position + i + 1));
                            start = i + 1;
                        }
                    }
                }
                boolean endOfFile = position + n >= channel.size();
                if (!full && start < n && (n - start >= MAX_PENDING_BYTES || toTheEnd && endOfFile)
                        && allowance.take(n - start)) {
                    sent.add(new Sent(deliver(sink, stream, bytes, start, n), position + n));
                    start = n;
                }
                if (start == 0 || full) {
                    return sent;
                }
                position += start;
            }
            return sent;
        } catch (NoSuchFileException notYet) {
            return sent;
        } catch (IOException e) {
            LOG.warn("pod %s container %s: cannot read its %s file, tried again: %s", source.pod(), source.container(),
                    stream, e.getMessage());
            return sent;
        }
    }

    private CompletableFuture<?> deliver(ContainerLogSink sink, String stream, byte[] bytes, int from,
                                                              int to) {
        int end = to > from && bytes[to - 1] == '\r' ? to - 1 : to;
        String line = new String(bytes, from, end - from, StandardCharsets.UTF_8);
        if (line.length() > MAX_LINE_CHARS) {
            line = line.substring(0, MAX_LINE_CHARS);
        }
        if (ContainerLogRecord.STDERR.equals(stream)) {
            lastErrorLine = line;
        }
        try {
            return sink.deliver(new ContainerLogRecord(Instant.now(), stream, line, source.namespace(), source.app(),
                    source.version(), source.pod(), source.container(), source.node(), source.deploymentId()))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The sink gave its verdict on every line of the batch: each stream's position moves past the
     * lines it confirmed up to the first it did not (the lines after that one are read again, so no
     * line is skipped), the positions are saved, and a file read to its end that is larger than the
     * bound is truncated.
     *
     * @return whether the sink confirmed every line
     */
    boolean confirmed(Batch batch, long maxFileBytes) {
        Map<String, Long> confirmedUpTo = new HashMap<>(positions);
        boolean all = true;
        for (Map.Entry<String, List<Sent>> stream : batch.sent().entrySet()) {
            for (Sent line : stream.getValue()) {
                if (!line.confirmed()) {
                    all = false;
                    break;
                }
                confirmedUpTo.put(stream.getKey(), line.upTo());
            }
        }
        if (confirmedUpTo.equals(positions)) {
            return all; // nothing confirmed: also before the process has started and made the directory
        }
        positions.putAll(confirmedUpTo);
        positions.replaceAll((stream, position) -> truncateIfDone(stream, position, maxFileBytes));
        savePositions();
        return all;
    }

    private long truncateIfDone(String stream, long position, long maxFileBytes) {
        try (FileChannel channel = FileChannel.open(file(stream), StandardOpenOption.WRITE)) {
            if (position > maxFileBytes && channel.size() == position) {
                channel.truncate(0);
                return 0;
            }
        } catch (IOException e) {
            LOG.debug("pod %s container %s: %s not truncated: %s", source.pod(), source.container(), stream, e.getMessage());
        }
        return position;
    }

    private Map<String, Long> readPositions() {
        try {
            return LocalPlatform.JSON.readValue(positionsFile().toFile(), POSITIONS);
        } catch (IOException notSaved) {
            return Map.of();
        }
    }

    private void savePositions() {
        Path file = positionsFile();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, LocalPlatform.JSON.writeValueAsBytes(positions));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("pod %s container %s: log positions not saved (a restarted supervisor delivers these lines again): %s",
                    source.pod(), source.container(), e.getMessage());
        }
    }

    /** Deletes the container's files, and the pod's directory once it is empty. */
    void delete() {
        try {
            for (String stream : STREAMS) {
                Files.deleteIfExists(file(stream));
            }
            Files.deleteIfExists(positionsFile());
            try (var left = Files.list(dir)) {
                if (left.findAny().isEmpty()) {
                    Files.deleteIfExists(dir);
                }
            }
        } catch (IOException e) {
            LOG.debug("pod %s container %s: log files not deleted: %s", source.pod(), source.container(), e.getMessage());
        }
    }
}
