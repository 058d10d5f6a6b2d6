package io.bgdeploy.localplatform;


import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
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
 * Follows the log files of every local container on one thread: each round reads what the
 * containers wrote since the saved positions, hands the lines to the sink, waits until the sink
 * confirmed them, and only then saves the positions. A round the sink did not confirm (Kafka away)
 * leaves the positions where they were: the same lines are read again in the next round, so a
 * line is delivered at least once, and the files hold what is not delivered yet meanwhile.
 */
final class LogFollower {

    private static final Log LOG = Log.of(LogFollower.class);
    /** How long a final read of a stopped container's files may take before its pod stop goes on. */
    private static final Duration FINISH_WAIT = Duration.ofSeconds(30);

    private final ContainerLogSink sink;
    private final Duration confirmTimeout;
    private final long maxFileBytes;
    private final ScheduledExecutorService thread;
    /** Only touched by the follower's thread. */
    private final Set<ContainerLogFiles> followed = new LinkedHashSet<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(ContainerLogFiles.READ_BYTES);
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
            boolean delivered;
            ContainerLogFiles.Batch batch;
            do {
                batch = files.read(sink, true, buffer);
                delivered = deliver(List.of(batch));
            } while (delivered && !batch.sent().isEmpty());
            if (delivered && delete) {
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
            List<ContainerLogFiles.Batch> batches = new ArrayList<>();
            followed.forEach(f -> batches.add(f.read(sink, false, buffer)));
            deliver(batches);
        } catch (RuntimeException e) {
            LOG.warn("reading the local containers' log files failed, tried again: %s", e.getMessage());
        }
    }

    /** Waits for the sink's confirmation of every batch; saves the positions of the confirmed ones. */
    private boolean deliver(List<ContainerLogFiles.Batch> batches) {
        List<CompletableFuture<?>> all = batches.stream().flatMap(b -> b.sent().stream()).toList();
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            // the batches the sink confirmed in full still count; the others are read again
        }
        boolean allConfirmed = true;
        for (ContainerLogFiles.Batch batch : batches) {
            if (batch.sent().stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally())) {
                batch.files().confirmed(batch, maxFileBytes);
            } else {
                allConfirmed = false;
            }
        }
        if (!allConfirmed && !warned) {
            LOG.warn("container log lines refused or not confirmed within %s s: kept in their files and sent again",
                    confirmTimeout.toSeconds());
        } else if (allConfirmed && warned) {
            LOG.info("container log lines are confirmed again");
        }
        warned = !allConfirmed;
        return allConfirmed;
    }

    /** Stops reading; what is not delivered stays in the files for the next supervising process. */
    void stop() {
        thread.shutdownNow();
    }
}
