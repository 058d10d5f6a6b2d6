package io.bgdeploy.health.alerts;

import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.HealthEvents;
import io.bgdeploy.health.model.RestartTracker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Restarts from pod events and from the cluster watch: counted, shown on the dashboard, and
 * turned into one {@link RestartAlertRaised} per pod when a pod restarts too often.
 */
@ApplicationScoped
public class RestartAlerts {

    private static final Logger LOG = Logger.getLogger(RestartAlerts.class);

    private final RestartTracker tracker;
    private final DashboardState dashboard;
    private final HealthEvents events;
    private final Clock clock;
    private final Counter restarts;
    private final Counter alerts;

    public RestartAlerts(RestartTracker tracker, DashboardState dashboard, HealthEvents events,
                         MeterRegistry registry, Clock clock) {
        this.tracker = tracker;
        this.dashboard = dashboard;
        this.events = events;
        this.clock = clock;
        this.restarts = Counter.builder("health.pod.restarts").description("Container restarts seen")
                .register(registry);
        this.alerts = Counter.builder("health.restart.alerts").description("Restart alerts raised")
                .register(registry);
    }

    /** A pod restarted; {@code at} is when (old restarts replayed from the topic do not raise alerts). */
    public Optional<RestartAlertRaised> restarted(PodRef pod, int restartCount, String reason, Instant at) {
        if (at.isBefore(clock.instant().minus(tracker.window()))) {
            tracker.baseline(pod, restartCount);
            dashboard.restarted(pod, restartCount, reason, at, 0);
            return Optional.empty();
        }
        RestartTracker.Recorded recorded = tracker.record(pod, restartCount, reason, at);
        restarts.increment(recorded.newRestarts());
        recorded.alert().ifPresent(alert -> {
            events.publish(alert);
            dashboard.alert(alert);
            alerts.increment();
            LOG.warnf("pod %s/%s of deployment %s restarted %d times within %d s (more than %d), last reason: %s",
                    pod.namespace(), pod.podName(), pod.deploymentId(), alert.restartsInWindow(),
                    alert.windowSeconds(), alert.threshold(), alert.lastReason());
        });
        dashboard.restarted(pod, restartCount, reason, at, recorded.newRestarts());
        return recorded.alert();
    }

    /** A watch first sees a pod: restarts so far are history, not news. */
    public void baseline(PodRef pod, int restartCount, String reason) {
        tracker.baseline(pod, restartCount);
        dashboard.restarted(pod, restartCount, reason, clock.instant(), 0);
    }

    public void forget(PodRef pod) {
        tracker.forget(pod);
    }
}
