package io.bgdeploy.health.probe;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.model.PodHealthTracker;
import io.bgdeploy.health.model.ProbeEvaluator;
import io.bgdeploy.health.model.ProbeListener;
import io.bgdeploy.health.model.ProbeTarget;
import io.bgdeploy.health.model.Prober;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Probes every tracked pod on its own period with Vert.x timers: no thread per pod, one probe in
 * flight per pod (the next starts a period after the previous one started, or at once when it
 * took longer). Each pod's {@link PodHealthTracker} turns probes into transitions, which go to the
 * {@link ProbeListener} in order, GONE always last. Thread-safe.
 */
public final class ProbeEngine implements AutoCloseable {

    static final long MAX_FIRST_PROBE_SPREAD_MILLIS = 1_000;

    private final Vertx vertx;
    private final Prober prober;
    private final ProbeListener listener;
    private final ConcurrentMap<String, Probed> pods = new ConcurrentHashMap<>();

    public ProbeEngine(Vertx vertx, Prober prober, ProbeListener listener) {
        this.vertx = vertx;
        this.prober = prober;
        this.listener = listener;
    }

    /**
     * Starts probing a pod. A pod already probed at the same address with the same check keeps
     * its state (a replayed event); a changed one starts over.
     *
     * @return whether probing (re)started
     */
    public boolean start(ProbeTarget target) {
        Probed fresh = new Probed(target);
        Probed[] replaced = new Probed[1];
        Probed current = pods.compute(target.podKey(), (key, old) -> {
            if (old != null && old.target.equals(target)) {
                return old;
            }
            replaced[0] = old;
            return fresh;
        });
        if (current != fresh) {
            return false;
        }
        if (replaced[0] != null) {
            stop(replaced[0]);
        }
        schedule(fresh, 1 + ThreadLocalRandom.current().nextLong(firstProbeSpread(target)));
        return true;
    }

    /**
     * First probes are spread over up to one period (at most {@value #MAX_FIRST_PROBE_SPREAD_MILLIS} ms):
     * when an instance takes over a partition it starts hundreds of pods at once, and probing them
     * all in the same instant times some of them out.
     */
    private static long firstProbeSpread(ProbeTarget target) {
        return Math.max(1, Math.min(target.check().periodMillis(), MAX_FIRST_PROBE_SPREAD_MILLIS));
    }

    /** The pod's container restarted: its success and failure streaks start again. */
    public void restarted(PodRef pod) {
        Probed p = pods.get(Keys.pod(pod.namespace(), pod.podName()));
        if (p == null) {
            return;
        }
        synchronized (p) {
            p.tracker.restarted();
        }
    }

    /**
     * Stops probing a pod that is gone and reports {@link PodHealthState#GONE}, if anything was
     * reported about it before (a pod gone before its first verdict, as every old pod is when a
     * partition is replayed, ends silently).
     */
    public boolean gone(PodRef pod) {
        Probed p = pods.remove(Keys.pod(pod.namespace(), pod.podName()));
        if (p == null) {
            return false;
        }
        synchronized (p) {
            p.stopped = true;
            vertx.cancelTimer(p.timerId);
            if (p.tracker.state().isPresent()) {
                p.tracker.gone().ifPresent(state ->
                        listener.changed(p.target, state, p.tracker.lastProbe().orElse(null)));
            }
        }
        return true;
    }

    /**
     * Stops probing, silently, the pods another instance takes over (their partition was revoked).
     *
     * @return how many pods were released
     */
    public int release(Predicate<ProbeTarget> which) {
        int released = 0;
        for (Probed p : List.copyOf(pods.values())) {
            if (which.test(p.target) && pods.remove(p.target.podKey(), p)) {
                stop(p);
                released++;
            }
        }
        return released;
    }

    public int size() {
        return pods.size();
    }

    /** What is known about each probed pod right now. */
    public List<ProbedPod> pods() {
        return pods.values().stream().map(p -> {
            synchronized (p) {
                return new ProbedPod(p.target, p.tracker.state(), p.tracker.lastProbe());
            }
        }).toList();
    }

    public Optional<ProbedPod> pod(PodRef pod) {
        Probed p = pods.get(Keys.pod(pod.namespace(), pod.podName()));
        if (p == null) {
            return Optional.empty();
        }
        synchronized (p) {
            return Optional.of(new ProbedPod(p.target, p.tracker.state(), p.tracker.lastProbe()));
        }
    }

    private void stop(Probed p) {
        synchronized (p) {
            p.stopped = true;
            vertx.cancelTimer(p.timerId);
        }
    }

    private void schedule(Probed p, long delayMillis) {
        synchronized (p) {
            if (!p.stopped) {
                p.timerId = vertx.setTimer(Math.max(1, delayMillis), id -> probe(p));
            }
        }
    }

    private void probe(Probed p) {
        if (p.stopped) {
            return;
        }
        long started = System.nanoTime();
        prober.probe(p.target).whenComplete((result, error) -> {
            ProbeResult r = error == null ? result
                    : ProbeEvaluator.failed(Instant.now(), elapsedMillis(started), VertxHttpProber.reason(error));
            synchronized (p) {
                if (p.stopped) {
                    return;
                }
                listener.probed(p.target, r);
                p.tracker.record(r).ifPresent(state -> listener.changed(p.target, state, r));
            }
            schedule(p, p.target.check().periodMillis() - elapsedMillis(started));
        });
    }

    private static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Stops every probe without reporting anything (the service is stopping). */
    @Override
    public void close() {
        release(t -> true);
    }

    /** A probed pod's published state (empty while undecided) and last probe. */
    public record ProbedPod(ProbeTarget target, Optional<PodHealthState> state, Optional<ProbeResult> lastProbe) {
    }

    private static final class Probed {
        final ProbeTarget target;
        final PodHealthTracker tracker;
        long timerId = -1;
        volatile boolean stopped;

        Probed(ProbeTarget target) {
            this.target = target;
            this.tracker = new PodHealthTracker(target.check().successThreshold(), target.check().failureThreshold());
        }
    }
}
