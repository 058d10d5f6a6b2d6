package io.bgdeploy.localplatform;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows the log files of every local container on one thread, in rounds. A round reads what the
 * containers wrote since the saved positions, at most {@link #ROUND_LINES} lines and about
 * {@link #ROUND_BYTES} bytes in all, hands them to the sink, waits until the sink gave its verdict
 * on each, and saves each file's position past the lines it confirmed (up to the first it did not).
 * The next round starts only once the sink settled every line of the last one, so the lines handed
 * to the sink and not settled yet never exceed one round's budget: the sink's buffers are sized
 * for that (the deployer's container-logs emitter, deployer-service README), and what the containers
 * write faster than the sink takes waits in their files. Lines not confirmed are read again in a
 * later round, so a line is delivered at least once.
 *
 * <p>The budget is shared fairly: the containers with unread lines are served from the one with the
 * least unread bytes to the one with the most, each given an equal part of what is left, so what a
 * quiet container leaves goes to the noisy ones and a noisy one never holds up another's lines.
 * A round that used its whole budget is followed by the next one at once, others after the poll
 * interval.
 */
final class LogFollower {

    /** The lines one round hands to the sink at most, over every container. */
    static final int ROUND_LINES = LocalPlatform.MAX_LOG_LINES_IN_FLIGHT;
    /**
     * The bytes of line text one round hands to the sink, over every container; a container whose
     * share is smaller than its next line still sends that one line.
     */
    static final long ROUND_BYTES = 1024 * 1024;

    private static final Log LOG = Log.of(LogFollower.class);
    /** How long a final read of a stopped container's files may take before its pod stop goes on. */
    private static final Duration FINISH_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final ContainerLogSink sink;
    private final Duration confirmTimeout;
    private final long maxFileBytes;
    private final ScheduledExecutorService thread;
    /** Only touched by the follower's thread, as everything below. */
    private final Set<ContainerLogFiles> followed = new LinkedHashSet<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(ContainerLogFiles.READ_BYTES);
    /** The last round's lines, until the sink gave its verdict on each. */
    private List<ContainerLogFiles.Batch> unsettled = List.of();
    private boolean warned;

    LogFollower(ContainerLogSink sink, Duration pollInterval, Duration confirmTimeout, long maxFileBytes) {
        this.sink = sink;
        this.confirmTimeout = confirmTimeout;
        this.maxFileBytes = maxFileBytes;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-platform-logs");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, pollInterval.toMillis());
        thread.scheduleWithFixedDelay(this::round, period, period, TimeUnit.MILLISECONDS);
    }

    /** Reads the container's files from now on, from their saved positions. */
    void follow(ContainerLogFiles files) {
        run(() -> followed.add(files), false);
    }

    /**
     * Reads the container's files to their end (its process is gone), waits until the sink
     * confirmed every line, and stops following them.
     *
     * @param delete whether the files go too (the pod is deleted)
     */
    void finish(ContainerLogFiles files, boolean delete) {
        run(() -> {
            followed.remove(files);
            if (settle(true) == Verdict.PENDING) {
                return;
            }
            ContainerLogFiles.Batch batch;
            Verdict verdict;
            do {
                batch = files.read(sink, true, buffer, new LogAllowance(ROUND_LINES, ROUND_BYTES));
                unsettled = List.of(batch);
                verdict = settle(true);
            } while (verdict == Verdict.CONFIRMED && batch.lines() > 0);
            if (verdict == Verdict.CONFIRMED && delete) {
                files.delete();
            }
        }, true);
    }

    private void run(Runnable task, boolean await) {
        Future<?> done;
        try {
            done = thread.submit(task);
        } catch (RejectedExecutionException stopped) {
            return;
        }
        if (!await) {
            return;
        }
        try {
            done.get(FINISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("container log files not read to their end: %s", e.getMessage());
        }
    }

    private void round() {
        try {
            if (settle(false) == Verdict.PENDING) {
                return; // the sink has not given its verdict on every line of the last round yet
            }
            boolean full = read();
            if (settle(true) == Verdict.CONFIRMED && full) {
                thread.execute(this::round);
            }
        } catch (RejectedExecutionException stopped) {
            // the platform stopped: what is not delivered stays in the files
        } catch (RuntimeException e) {
            LOG.warn("reading the local containers' log files failed, tried again: %s", e.getMessage());
        }
    }

    private record Unread(ContainerLogFiles files, long bytes) {
    }

    /**
     * Reads one round's lines into {@link #unsettled}, sharing the budget between the containers
     * that wrote some.
     *
     * @return whether the round used its whole budget (more lines are likely waiting)
     */
    private boolean read() {
        List<Unread> unread = new ArrayList<>();
        for (ContainerLogFiles files : followed) {
            long bytes = files.unreadBytes();
            files.noteBacklog(bytes, maxFileBytes);
            if (bytes > 0) {
                unread.add(new Unread(files, bytes));
            }
        }
        unread.sort(Comparator.comparingLong(Unread::bytes));
        List<ContainerLogFiles.Batch> batches = new ArrayList<>();
        int linesLeft = ROUND_LINES;
        long bytesLeft = ROUND_BYTES;
        for (int i = 0; i < unread.size() && linesLeft > 0; i++) {
            int ways = unread.size() - i;
            LogAllowance share = new LogAllowance(Math.max(1, linesLeft / ways), bytesLeft / ways);
            batches.add(unread.get(i).files().read(sink, false, buffer, share));
            linesLeft -= share.takenLines();
            bytesLeft = Math.max(0, bytesLeft - share.takenBytes());
        }
        unsettled = batches;
        return linesLeft <= 0 || bytesLeft <= 0;
    }

    /** What the sink made of the last round's lines. */
    private enum Verdict {
        /** It has not answered for every line yet. */
        PENDING,
        /** It refused some: they are read again. */
        REFUSED,
        /** It confirmed every one (or there were none). */
        CONFIRMED
    }

    /**
     * Applies the sink's verdict on the last round's lines once it gave one on every line: each
     * file's position moves past what the sink confirmed.
     *
     * @param wait whether to wait for the verdict, up to the confirmation timeout
     */
    private Verdict settle(boolean wait) {
        if (wait && !unsettled.isEmpty()) {
            CompletableFuture<?>[] all = unsettled.stream().flatMap(b -> Arrays.stream(b.confirmations()))
                    .toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.allOf(all).get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Verdict.PENDING;
            } catch (ExecutionException | TimeoutException e) {
                // refused lines are read again; lines still unconfirmed are settled by a later round
            }
        }
        if (!unsettled.stream().allMatch(ContainerLogFiles.Batch::settled)) {
            if (wait && !warned) {
                LOG.warn("container log lines not confirmed within %s s: no more lines are read until the sink settles"
                        + " them", confirmTimeout.toSeconds());
                warned = true;
            }
            return Verdict.PENDING;
        }
        boolean allConfirmed = true;
        for (ContainerLogFiles.Batch batch : unsettled) {
            allConfirmed &= batch.files().confirmed(batch, maxFileBytes);
        }
        unsettled = List.of();
        if (!allConfirmed && !warned) {
            LOG.warn("container log lines refused by the sink: kept in their files and sent again");
        } else if (allConfirmed && warned) {
            LOG.info("container log lines are confirmed again");
        }
        warned = !allConfirmed;
        return allConfirmed ? Verdict.CONFIRMED : Verdict.REFUSED;
    }

    /**
     * Stops reading and waits for a round under way to end, so that no position is saved after
     * this returns; what is not delivered stays in the files for the next supervising process.
     */
    void stop() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("container log follower still busy %d s after it was stopped", STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
