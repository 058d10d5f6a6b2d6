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

    /** One round as the follower runs it: read, and save the positions past what the sink confirmed. */
    private boolean round(ContainerLogFiles files, ContainerLogSink to, boolean toTheEnd, long maxBytes) {
        return round(files, to, toTheEnd, maxBytes, new LogAllowance(LogFollower.ROUND_LINES, LogFollower.ROUND_BYTES));
    }

    private boolean round(ContainerLogFiles files, ContainerLogSink to, boolean toTheEnd, long maxBytes,
                          LogAllowance allowance) {
        return files.confirmed(files.read(to, toTheEnd, buffer, allowance), maxBytes);
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

    /** The log records of {@link ContainerLogFiles} while open. */
    private static final class CapturedLog extends Handler implements AutoCloseable {

        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger(ContainerLogFiles.class.getName());

        CapturedLog() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void aRoundBeforeTheProcessHasStartedReadsNothingAndWarnsOfNothing() {
        try (CapturedLog log = new CapturedLog()) {
            ContainerLogFiles files = files();

            assertThat(round(files, sink, false, 1 << 20)).isTrue();

            assertThat(delivered).isEmpty();
            assertThat(log.records).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).isEmpty();
            assertThat(dir.resolve("pod")).as("made when the process starts").doesNotExist();
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

    @Test
    void aPositionMovesPastTheConfirmedLinesUpToTheFirstRefusedOneSoOnlyTheLinesFromThereAreReadAgain() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "a\nb\nc\nd\ne\n");
        ContainerLogSink refusesD = r -> {
            delivered.add(r.stream() + " " + r.line());
            return r.line().equals("d") ? CompletableFuture.failedFuture(new IllegalStateException("buffer full"))
                    : CompletableFuture.completedFuture(null);
        };

        assertThat(round(files, refusesD, false, 1 << 20)).as("not every line confirmed").isFalse();
        delivered.clear();
        round(files, sink, false, 1 << 20);
        assertThat(delivered).as("a, b, c were confirmed; d was refused, e came after it")
                .containsExactly("stdout d", "stdout e");
        delivered.clear();
        round(files(), sink, false, 1 << 20);
        assertThat(delivered).as("a new reader starts past e").isEmpty();
    }

    @Test
    void aRoundTakesNoMoreLinesOrBytesThanItsAllowanceAndTheStreamsShareIt() throws Exception {
        ContainerLogFiles files = files();
        files.prepare();
        append(files, "stdout", "o1\no2\no3\no4\no5\no6\n");
        append(files, "stderr", "e1\ne2\ne3\ne4\ne5\ne6\n");

        LogAllowance four = new LogAllowance(4, 1 << 20);
        round(files, sink, false, 1 << 20, four);
        assertThat(delivered).as("half for stdout, the rest for stderr")
                .containsExactly("stdout o1", "stdout o2", "stderr e1", "stderr e2");
        assertThat(four.takenLines()).isEqualTo(4);
        assertThat(four.takenBytes()).isEqualTo(12);

        delivered.clear();
        round(files, sink, false, 1 << 20, new LogAllowance(100, 7));
        assertThat(delivered).as("7 bytes: stdout's half (4) takes o3 (3 bytes with its line end), stderr the 4 left")
                .containsExactly("stdout o3", "stderr e3");

        delivered.clear();
        round(files, sink, false, 1 << 20, new LogAllowance(100, 1));
        assertThat(delivered).as("a share smaller than a line still moves on by one line")
                .containsExactly("stdout o4");

        delivered.clear();
        round(files, sink, false, 1 << 20, new LogAllowance(100, 1 << 20));
        assertThat(delivered).as("what stdout leaves goes to stderr")
                .containsExactly("stdout o5", "stdout o6", "stderr e4", "stderr e5", "stderr e6");
    }

    @Test
    void aBacklogOverTheSizeBoundIsWarnedOnceAndItsEndSaid() throws Exception {
        try (CapturedLog log = new CapturedLog()) {
            ContainerLogFiles files = files();
            files.prepare();
            append(files, "stdout", "0123456789\n".repeat(10));
            assertThat(files.unreadBytes()).isEqualTo(110);

            files.noteBacklog(files.unreadBytes(), 100);
            files.noteBacklog(files.unreadBytes(), 100);
            round(files, sink, false, 1 << 20);
            files.noteBacklog(files.unreadBytes(), 100);

            assertThat(log.records).extracting(LogRecord::getLevel).containsExactly(Level.WARNING, Level.INFO);
            assertThat(log.records.get(0).getMessage()).contains("110 bytes written and not delivered yet");
            assertThat(files.unreadBytes()).isZero();
        }
    }
}
