package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the live tails of pod-health and lb-events before anything else at startup (a resumed
 * deployment's rollback sends load-balancer commands at once and must see their answers), and
 * stops them at shutdown. lb-events is read from its end; pod-health from
 * {@code deployer.pod-health-replay} back, so that a deployment continued after a restart hears of
 * the pods that became ready while no deployer ran.
 */
@ApplicationScoped
public class LiveTails {

    /** Before the observers of default priority, among them the startup that resumes deployments. */
    static final int BEFORE_STARTUP = 100;

    private final List<LiveTail> tails = new ArrayList<>();

    void onStart(@Observes @Priority(BEFORE_STARTUP) StartupEvent event,
                 @Identifier("default-kafka-broker") Map<String, Object> kafka,
                 PodHealthConsumer podHealth, LbEventsConsumer lbEvents,
                 @ConfigProperty(name = "deployer.pod-health-replay", defaultValue = "15m") Duration podHealthReplay) {
        tails.add(LiveTail.start(kafka, Topics.LB_EVENTS, lbEvents::consume));
        tails.add(LiveTail.startFrom(kafka, Topics.POD_HEALTH, podHealth::consume,
                Instant.now().minus(podHealthReplay)));
    }

    void onStop(@Observes ShutdownEvent event) {
        tails.forEach(LiveTail::close);
        tails.clear();
    }
}
