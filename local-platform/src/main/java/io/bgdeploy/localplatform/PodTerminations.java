package io.bgdeploy.localplatform;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops pods in the background, as a kubelet does once the API server accepted a delete: the
 * caller (a scale-down, a delete, a platform that stops) returns at once, and each pod's
 * containers get SIGTERM, SIGKILL after the grace period to what still runs of them and of the
 * processes they started, then their files are read to the end (no line written while handling
 * SIGTERM is lost), the pod's ports are free for new pods and the pod is reported gone.
 *
 * <p>Bounded: one executor of {@link #THREADS} named threads does the short steps; the waits for
 * the processes to exit are the JDK's {@link ProcessHandle#onExit()} futures and hold no thread of
 * it, so a pod that uses its whole grace period holds up no other pod's stop.
 */
final class PodTerminations {

    private static final Log LOG = Log.of(PodTerminations.class);
    /** Threads for the short steps (signals, the final log read, the state file). */
    static final int THREADS = 2;
    /** How long processes may take to end after SIGKILL before the pod is taken as gone anyway. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final ExecutorService executor;
    private final Map<LocalPod, CompletableFuture<Void>> inProgress = new ConcurrentHashMap<>();
    private volatile boolean abandoned;

    PodTerminations() {
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "local-platform-pod-stop-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Stops the pod in the background (the pod was told to stop supervising its containers).
     *
     * @param mains    the containers' processes that still ran when the pod stopped being supervised
     * @param deadline when what still runs gets SIGKILL
     * @param forget   whether the pod is deleted (its state and log files go, and it is reported
     *                 gone) or only stopped with its supervisor (both stay for the next one)
     * @return completes once the pod's processes ended and its last lines were delivered
     */
    CompletableFuture<Void> terminate(LocalPod pod, List<ProcessHandle> mains, Instant deadline, boolean forget) {
        long began = System.nanoTime();
        List<ProcessHandle> tree = new ArrayList<>();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                    for (ProcessHandle h : mains) {
                        h.descendants().forEach(tree::add);
                        tree.add(h);
                    }
                    mains.forEach(ProcessHandle::destroy);
                }, executor)
                .thenCompose(signalled -> CompletableFuture.allOf(mains.stream().map(ProcessHandle::onExit)
                        .toArray(CompletableFuture[]::new)).completeOnTimeout(null,
                        Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS))
                .thenRunAsync(() -> {
                    if (abandoned) {
                        return;
                    }
                    boolean graceOver = mains.stream().anyMatch(ProcessHandle::isAlive);
                    killWhatStillRuns(pod, tree);
                    pod.exited(forget);
                    LOG.info("pod %s (deployment %s) stopped in %d ms%s", pod.name(), pod.deploymentId(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
                            graceOver ? ": killed, it still ran when its grace period was over" : "");
                }, executor);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        inProgress.put(pod, stopped);
        done.whenComplete((ok, failed) -> {
            inProgress.remove(pod);
            if (failed != null && !abandoned) {
                LOG.warn("pod %s: stopping it failed: %s", pod.name(), failed.getMessage());
            }
            stopped.complete(null);
        });
        return stopped;
    }

    /**
     * SIGKILL to what still runs of the pod's processes: the containers' own after the grace period,
     * and what they started and left running.
     */
    private static void killWhatStillRuns(LocalPod pod, List<ProcessHandle> tree) {
        List<ProcessHandle> alive = tree.stream().filter(ProcessHandle::isAlive).toList();
        alive.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : alive) {
            try {
                h.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("pod %s: pid %d still runs %d s after SIGKILL", pod.name(), h.pid(), KILL_WAIT.toSeconds());
            }
        }
    }

    /** The pods whose stop has begun and not ended yet. */
    List<LocalPod> terminating() {
        return List.copyOf(inProgress.keySet());
    }

    /**
     * Waits until every pod whose stop has begun has stopped, at most the timeout.
     *
     * @return whether all stopped in time
     */
    boolean awaitAll(Duration timeout) {
        CompletableFuture<?>[] all = inProgress.values().toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // each failure was logged
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** No more pods are stopped here (after {@link #awaitAll}). */
    void shutdown() {
        executor.shutdown();
    }

    /** Drops every stop in progress without finishing it, as if this process died. */
    void abandon() {
        abandoned = true;
        executor.shutdownNow();
        inProgress.clear();
    }
}
