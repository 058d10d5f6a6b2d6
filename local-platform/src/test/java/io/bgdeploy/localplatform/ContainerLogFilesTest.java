package io.bgdeploy.localplatform;

import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a container's output files from saved positions, without processes: the file is written here. */
class ContainerLogFilesTest {

    @TempDir
    Path dir;

    private final List<String> delivered = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(ContainerLogFiles.READ_BYTES);
    private final ContainerLogSink sink = r -> {
        delivered.add(r.stream() + " " + r.line());
        return CompletableFuture.completedFuture(null);
    };
    private final ContainerLogSink refusing = r -> CompletableFuture.failedFuture(new IllegalStateException("away"));

    private ContainerLogFiles files() {
        return new ContainerLogFiles(dir.resolve("pod"), new ContainerLogFiles.Source("default", "web", "1", "web-1-bcdfg", "app",
                "local", "dep-1"));
    }

    private void append(ContainerLogFiles files, String stream, String text) throws Exception {
        Files.writeString(files.file(stream), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** One round as the follower runs it: read, and save the positions if every line was taken. */
    private boolean round(ContainerLogFiles files, ContainerLogSink to, boolean toTheEnd, long maxBytes) {
        ContainerLogFiles.Batch batch = files.read(to, toTheEnd, buffer);
        boolean confirmed = batch.sent().stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        if (confirmed) {
            files.confirmed(batch, maxBytes);
        }
        return confirmed;
    }

    @Test
    void aLineWithoutItsEndWaitsForItAndANewReaderResumesAtTheSavedPositions() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "one\r\ntw");
        append(files, "stderr", "oops\n");
        round(files, sink, false, 1 << 20);
        assertThat(delivered).containsExactly("stdout one", "stderr oops");

        append(files, "stdout", "o\nthree\n");
        ContainerLogFiles restarted = files();
        round(restarted, sink, false, 1 << 20);

        assertThat(delivered).containsExactly("stdout one", "stderr oops", "stdout two", "stdout three");
        assertThat(restarted.lastErrorLine()).isNull();
        assertThat(files.lastErrorLine()).isEqualTo("oops");
    }

    @Test
    void linesTheSinkRefusedAreReadAgainAndALastLineWithoutEndIsDeliveredAtTheEnd() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "kept\nlast words");
        assertThat(round(files, refusing, false, 1 << 20)).isFalse();

        round(files, sink, false, 1 << 20);
        assertThat(delivered).containsExactly("stdout kept");
        round(files, sink, true, 1 << 20);
        assertThat(delivered).containsExactly("stdout kept", "stdout last words");
    }

    @Test
    void aFileOverTheBoundIsTruncatedOnlyOnceEveryLineInItIsDelivered() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "a".repeat(100) + "\n" + "b".repeat(10));
        round(files, sink, false, 50);
        assertThat(Files.size(files.file("stdout"))).as("a line not complete yet is kept").isEqualTo(111);

        append(files, "stdout", "\n");
        round(files, sink, false, 50);
        assertThat(Files.size(files.file("stdout"))).isZero();
        append(files, "stdout", "after\n");
        round(files(), sink, false, 50);
        assertThat(delivered).containsExactly("stdout " + "a".repeat(100), "stdout " + "b".repeat(10), "stdout after");
    }

    @Test
    void aLongLineIsCutAndBytesWithoutALineEndBeyondTheLimitAreDeliveredAsALine() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "x".repeat(ContainerLogFiles.MAX_LINE_CHARS + 10) + "\n" + "y".repeat(5 * ContainerLogFiles.MAX_LINE_CHARS));
        round(files, sink, false, 1 << 20);
        assertThat(delivered).hasSize(2).allMatch(l -> l.length() == "stdout ".length() + ContainerLogFiles.MAX_LINE_CHARS);
    }

    @Test
    void aRoundBeforeTheProcessHasStartedReadsNothingAndWarnsOfNothing() {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ContainerLogFiles.class.getName());
        logger.addHandler(handler);
        try {
            ContainerLogFiles files = files();

            assertThat(round(files, sink, false, 1 << 20)).isTrue();

            assertThat(delivered).isEmpty();
            assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
            assertThat(dir.resolve("pod")).as("made when the process starts").doesNotExist();
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void deletingRemovesTheFilesAndThePodsDirectoryOnceEmpty() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, ContainerLogRecord.STDOUT, "line\n");
        round(files, sink, false, 1 << 20);
        files.delete();
        assertThat(dir.resolve("pod")).doesNotExist();
    }
}
