package io.bgdeploy.health.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.RemoteReports;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Reads {@value Topics#HEALTH_REPORTS} in every instance, without a consumer group, from a few
 * refresh intervals back (so a starting instance sees every app at once), into {@link RemoteReports}.
 * Reports nobody renewed for ten minutes are dropped.
 */
@ApplicationScoped
public class HealthReportsReader {

    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final TopicTail tail;
    private final RemoteReports reports;
    private final Clock clock;

    public HealthReportsReader(@Identifier("default-kafka-broker") Map<String, Object> kafka, RemoteReports reports,
                               HealthConfig config, Clock clock) {
        this.reports = reports;
        this.clock = clock;
        this.tail = new TopicTail(kafka, Topics.HEALTH_REPORTS, config.dashboard().reportRefresh().multipliedBy(3),
                event -> {
                    if (event.data() instanceof AppHealthReport report) {
                        reports.received(report, clock.instant());
                    }
                }, () -> { });
    }

    void onStart(@Observes StartupEvent event) {
        tail.start();
    }

    @Scheduled(every = "PT1M")
    void forgetAbandoned() {
        reports.expire(clock.instant(), FORGET_AFTER);
    }

    @PreDestroy
    void stop() {
        tail.close();
    }
}
