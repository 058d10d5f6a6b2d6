package io.bgdeploy.health.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.RestartAlertRaised;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts each pod's restarts in a sliding window and raises one alert when a pod exceeds
 * {@code maxRestarts} in the window, not one per restart: the pod stays alerted until its count
 * in the window falls back to the limit. Restart counts may come as totals (a watch sees
 * {@code restartCount} go from 2 to 5: three restarts) or one event per restart. Thread-safe.
 */
public final class RestartTracker {

    private final int maxRestarts;
    private final Duration window;
    private final Map<String, PodRestarts> pods = new HashMap<>();

    public RestartTracker(int maxRestarts, Duration window) {
        if (maxRestarts < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("maxRestarts must be >= 0 and the window positive");
        }
        this.maxRestarts = maxRestarts;
        this.window = window;
    }

    /** Records what a watch first sees of a pod: its restarts so far happened before, they do not count. */
    public synchronized void baseline(PodRef pod, int restartCount) {
        pods.computeIfAbsent(key(pod), k -> new PodRestarts()).lastCount = restartCount;
    }

    /**
     * Records that the pod has restarted {@code restartCount} times in total, the last time at
     * {@code at} for {@code reason}.
     *
     * @return how many restarts this adds, and the alert when this is the restart that exceeds the limit
     */
    public synchronized Recorded record(PodRef pod, int restartCount, String reason, Instant at) {
        PodRestarts p = pods.computeIfAbsent(key(pod), k -> new PodRestarts());
        int added = p.lastCount < 0 ? 1 : Math.max(0, restartCount - p.lastCount);
        p.lastCount = Math.max(p.lastCount, restartCount);
        if (reason != null && !reason.isBlank()) {
            p.lastReason = reason;
        }
        for (int i = 0; i < added; i++) {
            p.restarts.addLast(at);
        }
        prune(p, at);
        int inWindow = p.restarts.size();
        if (inWindow <= maxRestarts) {
            p.alerted = false;
            return new Recorded(added, Optional.empty());
        }
        if (p.alerted || added == 0) {
            return new Recorded(added, Optional.empty());
        }
        p.alerted = true;
        return new Recorded(added, Optional.of(
                new RestartAlertRaised(pod, inWindow, window.toSeconds(), maxRestarts, p.lastReason)));
    }

    /** What one {@link #record} call found: restarts not seen before, and the alert it raised. */
    public record Recorded(int newRestarts, Optional<RestartAlertRaised> alert) {
    }

    /** Restarts of the pod within the window ending at {@code now}. */
    public synchronized int restartsInWindow(PodRef pod, Instant now) {
        PodRestarts p = pods.get(key(pod));
        if (p == null) {
            return 0;
        }
        prune(p, now);
        if (p.restarts.size() <= maxRestarts) {
            p.alerted = false;
        }
        return p.restarts.size();
    }

    public synchronized void forget(PodRef pod) {
        pods.remove(key(pod));
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration window() {
        return window;
    }

    private void prune(PodRestarts p, Instant now) {
        Instant oldest = now.minus(window);
        while (!p.restarts.isEmpty() && !p.restarts.peekFirst().isAfter(oldest)) {
            p.restarts.removeFirst();
        }
    }

    private static String key(PodRef pod) {
        return Keys.pod(pod.namespace(), pod.podName());
    }

    private static final class PodRestarts {
        final Deque<Instant> restarts = new ArrayDeque<>();
        int lastCount = -1;
        String lastReason;
        boolean alerted;
    }
}
