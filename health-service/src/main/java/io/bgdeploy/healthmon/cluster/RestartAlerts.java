package io.bgdeploy.healthmon.cluster;

import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.healthmon.config.HealthmonConfig;
import io.bgdeploy.healthmon.dashboard.DashboardState;
import io.bgdeploy.healthmon.messaging.HealthEventPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
    private final HealthEventPublisher publisher;
    private final Clock clock;
    private final Counter restarts;
    private final Counter alerts;

    @Inject
    public RestartAlerts(HealthmonConfig config, DashboardState dashboard, HealthEventPublisher publisher,
                         MeterRegistry registry, Clock clock) {
        this(new RestartTracker(config.restartAlert().maxRestarts(), config.restartAlert().window()), dashboard,
                publisher, registry, clock);
    }

    public RestartAlerts(RestartTracker tracker, DashboardState dashboard, HealthEventPublisher publisher,
                         MeterRegistry registry, Clock clock) {
        this.tracker = tracker;
        this.dashboard = dashboard;
        this.publisher = publisher;
        this.clock = clock;
        this.restarts = Counter.builder("healthmon.pod.restarts").description("Container restarts seen")
                .register(registry);
        this.alerts = Counter.builder("healthmon.restart.alerts").description("Restart alerts raised")
                .register(registry);
    }

    /** A pod restarted; {@code at} is when (old restarts replayed from the topic do not raise alerts). */
    public Optional<RestartAlertRaised> restarted(PodRef pod, int restartCount, String reason, Instant at) {
        if (at.isBefore(clock.instant().minus(tracker.window()))) {
            tracker.baseline(pod, restartCount);
            dashboard.restarted(pod, restartCount, reason);
            return Optional.empty();
        }
        RestartTracker.Recorded recorded = tracker.record(pod, restartCount, reason, at);
        restarts.increment(recorded.newRestarts());
        recorded.alert().ifPresent(alert -> {
            publisher.publish(alert);
            dashboard.alert(alert);
            alerts.increment();
            LOG.warnf("pod %s/%s of deployment %s restarted %d times within %d s (more than %d), last reason: %s",
                    pod.namespace(), pod.podName(), pod.deploymentId(), alert.restartsInWindow(),
                    alert.windowSeconds(), alert.threshold(), alert.lastReason());
        });
        dashboard.restarted(pod, restartCount, reason);
        return recorded.alert();
    }

    /** A watch first sees a pod: restarts so far are history, not news. */
    public void baseline(PodRef pod, int restartCount, String reason) {
        tracker.baseline(pod, restartCount);
        dashboard.restarted(pod, restartCount, reason);
    }

    public void forget(PodRef pod) {
        tracker.forget(pod);
    }
}
