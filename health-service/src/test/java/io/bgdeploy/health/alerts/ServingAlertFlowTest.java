package io.bgdeploy.health.alerts;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.events.pod.ServingAlert.Condition;
import io.bgdeploy.events.pod.ServingAlert.State;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;

/**
 * An app the deployer made serve (a {@code DeploymentFinished DEPLOYED} on deploy-events), its two
 * pods real HTTP servers: when both fail, "no serving pod" is raised on pod-health and on the
 * dashboard; when one serves again it is cleared, and "too few serving pods" follows after its
 * time (2 s in the test profile); when both serve, that is cleared too. Undeploying clears a raised
 * alert. An app with failing pods that nobody deployed raises nothing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class ServingAlertFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    private static Predicate<ConsumerRecord<String, String>> alert(String app, Condition condition, State state) {
        return r -> PodEvents.decode(r).data() instanceof ServingAlert a && a.appName().equals(app)
                && a.condition() == condition && a.state() == state;
    }

    private static ServingAlert data(ConsumerRecord<String, String> r) {
        return (ServingAlert) PodEvents.decode(r).data();
    }

    @Test
    void anAppThatShouldServeRaisesAndClearsItsAlertsAsItsPodsFailAndRecover() {
        PodRef a = PodEvents.pod("served", "served-1-a");
        PodRef b = PodEvents.pod("served", "served-1-b");
        PodRef stray = PodEvents.pod("undeployed", "undeployed-1-a");
        try (PodServer serverA = PodServer.start().answer(200, "ok");
             PodServer serverB = PodServer.start().answer(200, "ok");
             PodServer strayServer = PodServer.start().answer(503, "down");
             var health = KafkaTestClient.reader(PodEvents.bootstrap(), Topics.POD_HEALTH)) {
            PodEvents.send(PodEvents.started(stray, "simple", strayServer.port(), 1, 1));
            PodEvents.send(PodEvents.started(a, "simple", serverA.port(), 1, 1));
            PodEvents.send(PodEvents.started(b, "simple", serverB.port(), 1, 1));
            health.await(r -> PodEvents.isHealth(r, a, PodHealthState.READY), WAIT);
            health.await(r -> PodEvents.isHealth(r, b, PodHealthState.READY), WAIT);
            PodEvents.send(new DeploymentFinished("d-served-1", "test", "served", "1", DeploymentStatus.DEPLOYED, null, 900));

            serverA.answer(503, "{\"db\": \"down\"}");
            serverB.answer(503, "{\"db\": \"down\"}");
            ServingAlert raised = data(health.await(alert("served", Condition.NO_SERVING_POD, State.RAISED), WAIT));
            assertThat(health.records()).as("a raised alert arrives after the pods it counts turned unhealthy")
                    .anyMatch(r -> PodEvents.isHealth(r, b, PodHealthState.UNHEALTHY));
            assertThat(raised.key()).isEqualTo("test/served");
            assertThat(raised.version()).isEqualTo("1");
            assertThat(raised.servingPods()).isZero();
            assertThat(raised.expectedPods()).isEqualTo(2);
            assertThat(raised.reason()).isEqualTo("0 of 2 pods of version 1 serve: served-1-a unhealthy (HTTP status 503"
                    + " is not 2xx), served-1-b unhealthy (HTTP status 503 is not 2xx)");
            given().get("/api/dashboard").then().statusCode(200)
                    .body("servingAlerts.condition", hasItem("NO_SERVING_POD"))
                    .body("servingAlerts.appName", hasItem("served"));

            serverA.answer(200, "ok");
            ServingAlert cleared = data(health.await(alert("served", Condition.NO_SERVING_POD, State.CLEARED), WAIT));
            assertThat(cleared.servingPods()).isEqualTo(1);
            ServingAlert tooFew = data(health.await(alert("served", Condition.TOO_FEW_SERVING_PODS, State.RAISED), WAIT));
            assertThat(tooFew.servingPods()).isEqualTo(1);
            assertThat(tooFew.reason()).isEqualTo("1 of 2 pods of version 1 serve: served-1-b unhealthy (HTTP status 503"
                    + " is not 2xx)");

            serverB.answer(200, "ok");
            health.await(alert("served", Condition.TOO_FEW_SERVING_PODS, State.CLEARED), WAIT);
            await().atMost(WAIT).untilAsserted(() -> given().get("/api/dashboard").then()
                    .body("servingAlerts", empty()));

            long firstClear = health.records().stream().filter(alert("served", Condition.NO_SERVING_POD, State.CLEARED))
                    .mapToLong(ConsumerRecord::offset).max().orElseThrow();
            serverA.answer(503, "down");
            serverB.answer(503, "down");
            health.await(r -> alert("served", Condition.NO_SERVING_POD, State.RAISED).test(r) && r.offset() > firstClear,
                    WAIT);
            PodEvents.send(new DeploymentFinished("d-served-1", "test", "served", "1", DeploymentStatus.UNDEPLOYED, null, 300));
            ServingAlert undeployed = data(health.await(r -> alert("served", Condition.NO_SERVING_POD, State.CLEARED).test(r)
                    && data(r).reason().contains("undeployed"), WAIT));
            assertThat(undeployed.reason()).isEqualTo("version 1 no longer has to serve: the app was undeployed");

            assertThat(health.records()).as("pods of an app nobody deployed fail without a serving alert")
                    .noneMatch(r -> PodEvents.decode(r).data() instanceof ServingAlert s && s.appName().equals("undeployed"));
            PodEvents.send(new PodGone(a, "test over"));
            PodEvents.send(new PodGone(b, "test over"));
            PodEvents.send(new PodGone(stray, "test over"));
        }
    }
}
