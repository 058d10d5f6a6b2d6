package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.ProbeResult;

import java.util.Optional;

/**
 * The health of one pod as its probes come in, like a Kubernetes readiness probe: a pod starts
 * undecided, becomes {@link PodHealthState#READY} after {@code successThreshold} consecutive
 * healthy probes and {@link PodHealthState#UNHEALTHY} after {@code failureThreshold} consecutive
 * failed ones (also before it was ever ready, so a deployment waiting on it learns why at once);
 * ready again after having been ready is {@link PodHealthState#RECOVERED}. Only transitions are
 * returned; nothing is returned while a state holds. Not thread-safe: one caller at a time.
 */
public final class PodHealthTracker {

    private final int successThreshold;
    private final int failureThreshold;
    private PodHealthState state;
    private boolean everReady;
    private int successes;
    private int failures;
    private ProbeResult lastProbe;

    public PodHealthTracker(int successThreshold, int failureThreshold) {
        if (successThreshold < 1 || failureThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1");
        }
        this.successThreshold = successThreshold;
        this.failureThreshold = failureThreshold;
    }

    /** Counts one probe; returns the transition it caused, if any. */
    public Optional<PodHealthState> record(ProbeResult probe) {
        if (state == PodHealthState.GONE) {
            return Optional.empty();
        }
        lastProbe = probe;
        if (probe.healthy()) {
            failures = 0;
            successes = Math.min(successes + 1, successThreshold);
            if (successes >= successThreshold && !isServing()) {
                return moveTo(everReady ? PodHealthState.RECOVERED : PodHealthState.READY);
            }
        } else {
            successes = 0;
            failures = Math.min(failures + 1, failureThreshold);
            if (failures >= failureThreshold && state != PodHealthState.UNHEALTHY) {
                return moveTo(PodHealthState.UNHEALTHY);
            }
        }
        return Optional.empty();
    }

    /**
     * The pod's container restarted: streaks start again, the published state holds until the
     * probes of the new container decide otherwise.
     */
    public void restarted() {
        successes = 0;
        failures = 0;
    }

    /** The pod is gone; returns {@link PodHealthState#GONE} once. */
    public Optional<PodHealthState> gone() {
        return state == PodHealthState.GONE ? Optional.empty() : moveTo(PodHealthState.GONE);
    }

    /** The last published state, empty while undecided. */
    public Optional<PodHealthState> state() {
        return Optional.ofNullable(state);
    }

    public boolean isServing() {
        return state != null && state.isServing();
    }

    public Optional<ProbeResult> lastProbe() {
        return Optional.ofNullable(lastProbe);
    }

    private Optional<PodHealthState> moveTo(PodHealthState next) {
        state = next;
        if (next.isServing()) {
            everReady = true;
        }
        return Optional.of(next);
    }
}
