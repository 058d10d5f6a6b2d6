package io.bgdeploy.logshipper.health;

import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.logshipper.receiver.GelfReceiverResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.when;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * A shipping loop that stops for good fails liveness, so that Kubernetes restarts the pod. Here it
 * stops the way any unhandled error would stop it: a new consumer group told never to reset its
 * offsets ({@code kafka.auto.offset.reset=none}) gets an exception from its first poll.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(GelfReceiverResource.class)
@TestProfile(LoopsLivenessTest.LoopThatStops.class)
class LoopsLivenessTest {

    public static class LoopThatStops implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.auto.offset.reset", "none", "logshipper.shipper.group-id", "no-offsets-" + UUID.randomUUID());
        }
    }

    @Test
    void livenessIsDownOnceTheShippingLoopStopped() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> when().get("/q/health/live").then().statusCode(503)
                .body("checks.find { it.name == 'loops' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'loops' }.data.shipper", startsWith("stopped: shipping loop stopped")));
    }
}
