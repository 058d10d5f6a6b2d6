package io.bgdeploy.health.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.AppOwnership;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.DashboardView;
import io.bgdeploy.health.model.ServingVersions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes, on {@value Topics#HEALTH_REPORTS}, the picture of every app this instance probes, so
 * that every instance's dashboard shows every app: at the next report interval after the app
 * changed (a pod's health, restarts, alerts, the version that should serve), and every refresh
 * interval otherwise (for the latencies). An app this instance no longer has anything of is
 * reported once more, empty, so the others drop it. A report that fails to send is counted and
 * replaced by the next one.
 */
@ApplicationScoped
public class HealthReportPublisher {

    private static final Logger LOG = Logger.getLogger(HealthReportPublisher.class);

    private record Sent(long revision, String servingVersion, Instant at) {
    }

    private final Emitter<String> emitter;
    private final DashboardView view;
    private final DashboardState local;
    private final ServingVersions versions;
    private final AppOwnership ownership;
    private final Clock clock;
    private final Duration refresh;
    private final Counter failures;
    private final Counter sent;
    private final Map<String, Sent> lastSent = new HashMap<>();
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "health-reports");
        t.setDaemon(true);
        return t;
    });

    public HealthReportPublisher(@Channel(Topics.HEALTH_REPORTS)
                                 @OnOverflow(value = OnOverflow.Strategy.DROP)
                                 Emitter<String> emitter, DashboardView view, DashboardState local,
                                 ServingVersions versions, AppOwnership ownership, Clock clock, HealthConfig config,
                                 MeterRegistry registry) {
        this.emitter = emitter;
        this.view = view;
        this.local = local;
        this.versions = versions;
        this.ownership = ownership;
        this.clock = clock;
        this.refresh = config.dashboard().reportRefresh();
        this.interval = config.dashboard().reportInterval();
        this.sent = Counter.builder("health.reports.sent").description("App reports sent to the other instances")
                .register(registry);
        this.failures = Counter.builder("health.reports.send.failures")
                .description("App reports Kafka did not take (the next one replaces them)").register(registry);
    }

    /** Reports go out once the service has started, when the channel is connected. */
    void onStart(@Observes StartupEvent event) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                reportChanges();
            } catch (RuntimeException e) {
                LOG.errorf(e, "reporting the apps to the other instances failed; trying again in %d ms",
                        interval.toMillis());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    synchronized void reportChanges() {
        Instant now = clock.instant();
        Set<String> apps = new HashSet<>(local.appKeys());
        apps.addAll(versions.all().keySet());
        apps.addAll(lastSent.keySet());
        for (String app : apps) {
            if (!ownership.owns(app)) {
                lastSent.remove(app);
                continue;
            }
            AppHealthReport report = view.localReport(app);
            boolean empty = report.versions().isEmpty() && report.alerts().isEmpty() && report.servingVersion() == null;
            Sent before = lastSent.get(app);
            long revision = local.appRevision(app);
            boolean due = before == null ? !empty
                    : before.revision() != revision || !Objects.equals(before.servingVersion(), report.servingVersion())
                    || !before.at().plus(refresh).isAfter(now);
            if (!due) {
                continue;
            }
            send(report);
            if (empty) {
                lastSent.remove(app);
            } else {
                lastSent.put(app, new Sent(revision, report.servingVersion(), now));
            }
        }
    }

    private void send(AppHealthReport report) {
        EventEnvelope<?> event = EventEnvelope.of(HealthEventPublisher.SOURCE, report);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        emitter.send(Message.of(EventCodec.encodeToString(event))
                .withAck(() -> {
                    sent.increment();
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    failures.increment();
                    return CompletableFuture.completedFuture(null);
                })
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.key()).withHeaders(headers).build()));
    }
}
