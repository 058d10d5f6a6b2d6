package io.bgdeploy.health.alerts;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.AppOwnership;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.HealthEvents;
import io.bgdeploy.health.model.RemoteReports;
import io.bgdeploy.health.model.ServingCheck;
import io.bgdeploy.health.model.ServingVersions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every check interval, for each app this instance answers for: does the version that should
 * serve (from {@code deploy-events}) have enough serving pods (from this instance's probes)? The
 * {@link ServingCheck} decides; raised and cleared alerts go to {@code pod-health}, the dashboard,
 * the log and the metrics. Apps another instance answers for are left to it; alerts the instance
 * before raised for an app (as its last report says) are cleared here when their condition ends.
 */
@ApplicationScoped
public class ServingAlerts {

    private static final Logger LOG = Logger.getLogger(ServingAlerts.class);

    private final ServingCheck check;
    private final ServingVersions versions;
    private final RemoteReports remote;
    private final DashboardState dashboard;
    private final AppOwnership ownership;
    private final HealthEvents events;
    private final Clock clock;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serving-alerts");
        t.setDaemon(true);
        return t;
    });
    private final Map<ServingAlert.Condition, Counter> raised = new EnumMap<>(ServingAlert.Condition.class);
    private final Map<ServingAlert.Condition, AtomicInteger> active = new EnumMap<>(ServingAlert.Condition.class);

    public ServingAlerts(ServingCheck check, ServingVersions versions, RemoteReports remote, DashboardState dashboard,
                         AppOwnership ownership, HealthEvents events, MeterRegistry registry, Clock clock,
                         HealthConfig config) {
        this.check = check;
        this.versions = versions;
        this.remote = remote;
        this.dashboard = dashboard;
        this.ownership = ownership;
        this.events = events;
        this.clock = clock;
        this.interval = config.servingAlert().checkInterval();
        for (ServingAlert.Condition c : ServingAlert.Condition.values()) {
            String tag = c.name().toLowerCase().replace('_', '-');
            raised.put(c, Counter.builder("health.serving.alerts.raised").tag("condition", tag)
                    .description("Serving alerts raised").register(registry));
            AtomicInteger now = new AtomicInteger();
            active.put(c, now);
            Gauge.builder("health.serving.alerts", now, AtomicInteger::get).tag("condition", tag)
                    .description("Serving alerts raised now, of the apps this instance probes").register(registry);
        }
    }

    /** Checks run once the service has started, when pod-health can be written. */
    void onStart(@Observes StartupEvent event) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                checkAll();
            } catch (RuntimeException e) {
                LOG.errorf(e, "checking the serving apps failed; checking again in %d ms", interval.toMillis());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    void checkAll() {
        if (!versions.caughtUp()) {
            return;
        }
        Instant now = clock.instant();
        Map<String, String> serving = versions.all();
        Set<String> apps = new HashSet<>(serving.keySet());
        apps.addAll(check.apps());
        check.forget(app -> !ownership.owns(app));
        Map<ServingAlert.Condition, Integer> counts = new EnumMap<>(ServingAlert.Condition.class);
        for (String app : apps) {
            if (!ownership.owns(app)) {
                dashboard.servingAlerts(app, List.of());
                continue;
            }
            if (!check.knows(app)) {
                // the instance that checked the app before may have raised alerts: clear them when they end
                remote.get(app).ifPresent(report -> check.adopt(report.alerts()));
            }
            Keys.AppRef ref = Keys.parseApp(app);
            Optional<String> version = Optional.ofNullable(serving.get(app));
            var pods = version.map(v -> dashboard.podsOf(app, v)).orElse(List.of());
            for (ServingAlert alert : check.check(ref.namespace(), ref.appName(), version, pods, now)) {
                publish(alert);
            }
            var current = check.active(app);
            current.forEach(a -> counts.merge(a.condition(), 1, Integer::sum));
            dashboard.servingAlerts(app, current);
        }
        active.forEach((c, n) -> n.set(counts.getOrDefault(c, 0)));
    }

    private void publish(ServingAlert alert) {
        events.publish(alert);
        if (alert.state() == ServingAlert.State.RAISED) {
            raised.get(alert.condition()).increment();
            LOG.warnf("app %s/%s: %s raised: %s", alert.namespace(), alert.appName(),
                    alert.condition().name().toLowerCase().replace('_', ' '), alert.reason());
        } else {
            LOG.infof("app %s/%s: %s cleared: %s", alert.namespace(), alert.appName(),
                    alert.condition().name().toLowerCase().replace('_', ' '), alert.reason());
        }
    }
}
