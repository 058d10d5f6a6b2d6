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
    /** At most this many buffers of one file per round: a chatty container does not hold up the others' lines. */
    private static final int READS_PER_ROUND = 16;
    private static final TypeReference<Map<String, Long>> POSITIONS = new TypeReference<>() {
    };

    /** Who wrote the lines: the record's fields other than time, stream and text. */
    record Source(String namespace, String app, String version, String pod, String container, String node,
                  String deploymentId) {
    }

    /** The lines read in a round and whether the sink confirmed them all. */
    record Batch(ContainerLogFiles files, Map<String, Long> readUpTo, List<CompletableFuture<?>> sent) {
    }

    private final Source source;
    private final Path dir;
    private final Map<String, Long> positions;
    private volatile String lastErrorLine;

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
     * Reads every complete line written since the saved positions and hands each to the sink.
     *
     * @param toTheEnd also a last line without end (the process is gone, nothing will complete it)
     * @param buffer   where to read, of {@link #READ_BYTES} (the caller's, reused for every file)
     */
    Batch read(ContainerLogSink sink, boolean toTheEnd, ByteBuffer buffer) {
        Map<String, Long> upTo = new HashMap<>(positions);
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String stream : List.of(ContainerLogRecord.STDOUT, ContainerLogRecord.STDERR)) {
            upTo.put(stream, readStream(stream, sink, toTheEnd, buffer, sent));
        }
        return new Batch(this, upTo, sent);
    }

    private long readStream(String stream, ContainerLogSink sink, boolean toTheEnd, ByteBuffer buffer,
                            List<CompletableFuture<?>> sent) {
        long position = positions.getOrDefault(stream, 0L);
        try {
            if (Files.size(file(stream)) == position) {
                return position;
            }
        } catch (IOException notYet) {
            return position;
        }
        try (FileChannel channel = FileChannel.open(file(stream), StandardOpenOption.READ)) {
            if (channel.size() < position) {
                LOG.debug("pod %s container %s: %s shorter than its position (truncated): read from its start",
                        source.pod(), source.container(), stream);
                position = 0;
            }
            for (int reads = 0; reads < READS_PER_ROUND; reads++) {
                buffer.clear();
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    return position;
                }
                byte[] bytes = buffer.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (bytes[i] == '\n') {
                        sent.add(deliver(sink, stream, bytes, start, i));
                        start = i + 1;
                    }
                }
                boolean endOfFile = position + n >= channel.size();
                if (start < n && (n - start >= MAX_PENDING_BYTES || toTheEnd && endOfFile)) {
                    sent.add(deliver(sink, stream, bytes, start, n));
                    start = n;
                }
                if (start == 0) {
                    return position;
                }
                position += start;
            }
            return position;
        } catch (NoSuchFileException notYet) {
            return position;
        } catch (IOException e) {
            LOG.warn("pod %s container %s: cannot read its %s file, tried again: %s", source.pod(), source.container(),
                    stream, e.getMessage());
            return positions.getOrDefault(stream, 0L);
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
     * The sink confirmed every line of the batch: its positions are saved, and a file read to its
     * end that is larger than the bound is truncated.
     */
    void confirmed(Batch batch, long maxFileBytes) {
        if (batch.readUpTo().entrySet().stream().allMatch(e -> e.getValue().equals(positions.getOrDefault(e.getKey(), 0L)))) {
            return; // nothing read: also before the process has started and made the directory
        }
        positions.putAll(batch.readUpTo());
        positions.replaceAll((stream, position) -> truncateIfDone(stream, position, maxFileBytes));
        savePositions();
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
            for (String stream : List.of(ContainerLogRecord.STDOUT, ContainerLogRecord.STDERR)) {
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
