package io.bgdeploy.health.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The broker dies (SIGKILL) while a pod turns unhealthy: the transition is not lost. The service
 * holds it, says so in its metrics, and publishes it once the broker is back, after the READY that
 * came before it. The test has its own broker, so killing it disturbs no other test.
 */
@QuarkusTest
@TestProfile(PodHealthRedeliveryTest.OwnBrokerShortTimeouts.class)
class PodHealthRedeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    static KafkaBroker broker;

    /** A broker of this test only, killed and restarted on the same ports and data. */
    public static class OwnBroker implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            broker = KafkaBroker.start(SharedInfra.workDir("kafka-redelivery"));
            return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
        }

        @Override
        public void stop() {
            broker.close();
        }
    }

    /** Sends give up after a few seconds instead of two minutes, so the service's own redelivery is tested. */
    public static class OwnBrokerShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.outgoing.pod-health.delivery.timeout.ms", "6000",
                    "mp.messaging.outgoing.pod-health.request.timeout.ms", "2000",
                    "mp.messaging.outgoing.pod-health.max.block.ms", "3000");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnBroker.class));
        }
    }

    @Test
    void aTransitionDuringABrokerOutageIsPublishedInOrderOnceTheBrokerIsBack() {
        PodEvents.createTopics();
        PodRef pod = PodEvents.pod("outage", "outage-1-a");
        try (PodServer server = PodServer.start().answer(200, "ok")) {
            try (var health = KafkaTestClient.reader(broker.bootstrapServers(), Topics.POD_HEALTH)) {
                PodEvents.send(PodEvents.started(pod, "simple", server.port(), 1, 2));
                health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.READY), WAIT);
            }

            broker.process().kill();
            Instant brokerDown = Instant.now();
            server.answer(503, "down");
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("health_events_waiting 1.0")));

            Instant brokerBack = Instant.now();
            broker.process().restart();
            broker.process().awaitReady(broker::isServing, WAIT, "the restarted broker serves");
            try (var health = KafkaTestClient.reader(broker.bootstrapServers(), Topics.POD_HEALTH)) {
                health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.UNHEALTHY), WAIT);
                List<PodHealthChanged> changes = health.records().stream()
                        .filter(r -> PodEvents.isHealth(r, pod, PodHealthState.READY) || PodEvents.isHealth(r, pod, PodHealthState.UNHEALTHY))
                        .map(r -> (PodHealthChanged) PodEvents.decode(r).data()).toList();
                assertThat(changes.get(0).state()).isEqualTo(PodHealthState.READY);
                assertThat(changes.get(1).state()).isEqualTo(PodHealthState.UNHEALTHY);
                assertThat(changes.get(1).lastProbe().at()).as("the UNHEALTHY decided while the broker was down")
                        .isAfter(brokerDown).isBefore(brokerBack);
            }
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("health_events_waiting 0.0")));
            PodEvents.send(new PodGone(pod, "test over"));
        }
    }
}
