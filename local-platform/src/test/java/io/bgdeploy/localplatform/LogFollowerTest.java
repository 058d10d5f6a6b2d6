package io.bgdeploy.localplatform;

import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The follower's round budget against a sink that holds its confirmations until the test releases
 * them: containers that write much faster than the sink takes, without processes (the files are
 * written here).
 */
class LogFollowerTest {

    @TempDir
    Path dir;

    private final List<LogFollower> followers = new ArrayList<>();

    /** Holds every confirmation until {@link #release}; counts what is handed to it and not settled yet. */
    private static final class HoldingSink implements ContainerLogSink {

        final List<ContainerLogRecord> received = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<Object>> held = new ArrayList<>();
        private final Predicate<Integer> refuseNth;
        private int inFlight;
        private long bytesInFlight;
        private int maxInFlight;
        private long maxBytesInFlight;

        HoldingSink(Predicate<Integer> refuseNth) {
            this.refuseNth = refuseNth;
        }

        @Override
        public synchronized CompletionStage<?> deliver(ContainerLogRecord record) {
            int n = received.size();
            received.add(record);
            long bytes = record.line().length() + 1;
            inFlight++;
            bytesInFlight += bytes;
            maxInFlight = Math.max(maxInFlight, inFlight);
            maxBytesInFlight = Math.max(maxBytesInFlight, bytesInFlight);
            CompletableFuture<Object> confirmation = new CompletableFuture<>();
            confirmation.whenComplete((ok, error) -> settled(bytes));
            if (refuseNth.test(n)) {
                confirmation.completeExceptionally(new IllegalStateException("SRMSG00034: Insufficient downstream requests"));
            } else {
                held.add(confirmation);
            }
            return confirmation;
        }

        private synchronized void settled(long bytes) {
            inFlight--;
            bytesInFlight -= bytes;
        }

        synchronized int held() {
            return held.size();
        }

        /** Confirms every line held. */
        synchronized void release() {
            held.forEach(c -> c.complete(null));
            held.clear();
        }

        synchronized int maxInFlight() {
            return maxInFlight;
        }

        synchronized long maxBytesInFlight() {
            return maxBytesInFlight;
        }

        List<String> linesOf(String container) {
            return received.stream().filter(r -> r.container().equals(container)).map(ContainerLogRecord::line).toList();
        }
    }

    private LogFollower follower(HoldingSink sink, Duration confirmTimeout) {
        LogFollower follower = new LogFollower(sink, Duration.ofMillis(10), confirmTimeout, 1L << 30);
        followers.add(follower);
        return follower;
    }

    @AfterEach
    void stop() {
        followers.forEach(LogFollower::stop);
    }

    private ContainerLogFiles container(String name, List<String> lines) throws Exception {
        ContainerLogFiles files = new ContainerLogFiles(dir.resolve("pod-" + name),
                new ContainerLogFiles.Source("default", "web", "1", "web-1-" + name, name, "local", "dep-1"));
        files.prepare();
        Files.writeString(files.file(ContainerLogRecord.STDOUT), lines.stream().map(l -> l + "\n").collect(Collectors.joining()),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return files;
    }

    private static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    /** Releases what the sink holds until it received every one of {@code count} distinct lines. */
    private static void releaseUntilDelivered(HoldingSink sink, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            sink.release();
            return sink.received.stream().map(r -> r.container() + r.line()).distinct().count() >= count;
        });
    }

    @Test
    void aRoundHandsTheSinkNoMoreThanItsBudgetAndANoisyContainerDoesNotHoldUpAQuietOne() throws Exception {
        HoldingSink sink = new HoldingSink(n -> false);
        List<String> noisy = numbered("noisy ", 5 * LogFollower.ROUND_LINES);
        List<String> quiet = numbered("quiet ", 5);
        LogFollower follower = follower(sink, Duration.ofSeconds(30));
        follower.follow(container("noisy", noisy));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.held() == LogFollower.ROUND_LINES);
        assertThat(sink.linesOf("noisy")).as("a round alone takes the whole budget").hasSize(LogFollower.ROUND_LINES);

        follower.follow(container("quiet", quiet));
        sink.release();
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.held() == LogFollower.ROUND_LINES);
        assertThat(sink.linesOf("quiet")).as("the quiet container's lines are all in the next round").isEqualTo(quiet);
        assertThat(sink.linesOf("noisy")).as("the noisy one has the rest of the budget, nothing more")
                .isEqualTo(noisy.subList(0, 2 * LogFollower.ROUND_LINES - quiet.size()));

        releaseUntilDelivered(sink, noisy.size() + quiet.size());
        assertThat(sink.maxInFlight()).as("lines handed to the sink and not confirmed, at most")
                .isEqualTo(LogFollower.ROUND_LINES);
        assertThat(sink.linesOf("noisy")).as("every line once, in order").isEqualTo(noisy);
        assertThat(sink.linesOf("quiet")).isEqualTo(quiet);
    }

    @Test
    void longLinesAreBoundByTheRoundsBytesAndNoneIsLost() throws Exception {
        HoldingSink sink = new HoldingSink(n -> false);
        String text = "x".repeat(9_999);
        List<String> lines = IntStream.range(0, 400).mapToObj(i -> "%05d%s".formatted(i, text)).toList();
        LogFollower follower = follower(sink, Duration.ofSeconds(30));
        follower.follow(container("verbose", lines));

        await().atMost(Duration.ofSeconds(20)).until(() -> sink.held() > 0);
        assertThat(sink.held()).as("1 MiB of 10,005-byte lines").isEqualTo((int) (LogFollower.ROUND_BYTES / 10_005));

        releaseUntilDelivered(sink, lines.size());
        assertThat(sink.maxBytesInFlight()).isLessThanOrEqualTo(LogFollower.ROUND_BYTES);
        assertThat(sink.linesOf("verbose")).isEqualTo(lines);
    }

    @Test
    void aRoundTheSinkHasNotConfirmedInTimeHoldsBackTheNextOneAndItsLateConfirmationsCount() throws Exception {
        HoldingSink sink = new HoldingSink(n -> false);
        List<String> lines = numbered("line ", 3 * LogFollower.ROUND_LINES);
        LogFollower follower = follower(sink, Duration.ofMillis(100));
        follower.follow(container("slow", lines));

        await().atMost(Duration.ofSeconds(20)).until(() -> sink.held() == LogFollower.ROUND_LINES);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> sink.received.size() == LogFollower.ROUND_LINES);

        releaseUntilDelivered(sink, lines.size());
        assertThat(sink.linesOf("slow")).as("confirmed late, still not sent again").isEqualTo(lines);
        assertThat(sink.maxInFlight()).isEqualTo(LogFollower.ROUND_LINES);
    }

    @Test
    void aPartlyRefusedRoundSendsAgainOnlyFromTheFirstRefusedLine() throws Exception {
        int refused = 100;
        HoldingSink sink = new HoldingSink(n -> n == refused);
        List<String> lines = numbered("line ", 2 * LogFollower.ROUND_LINES);
        LogFollower follower = follower(sink, Duration.ofSeconds(30));
        follower.follow(container("flaky", lines));

        releaseUntilDelivered(sink, lines.size());
        List<String> received = sink.linesOf("flaky");
        assertThat(received.stream().distinct().toList()).as("no line lost, in order").isEqualTo(lines);
        assertThat(received.size() - lines.size())
                .as("sent twice: the refused line and those confirmed after it in its round, and no other")
                .isEqualTo(LogFollower.ROUND_LINES - refused);
        assertThat(received.subList(LogFollower.ROUND_LINES, LogFollower.ROUND_LINES + 2))
                .as("the second round starts at the refused line").containsExactly("line 100", "line 101");
    }
}
