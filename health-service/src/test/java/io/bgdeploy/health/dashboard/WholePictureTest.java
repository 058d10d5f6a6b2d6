package io.bgdeploy.health.dashboard;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.events.health.AppHealthReport.PodHealth;
import io.bgdeploy.events.health.AppHealthReport.RaisedRestartAlert;
import io.bgdeploy.events.health.AppHealthReport.Series;
import io.bgdeploy.events.health.AppHealthReport.VersionHealth;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Behind one Service, every instance shows every app: this instance reports the apps it probes on
 * health-reports, and shows the apps another instance probes from that instance's reports (played
 * here by a Kafka producer), until an empty report says the app is gone.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class WholePictureTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    private static void publish(AppHealthReport report) {
        EventEnvelope<?> event = EventEnvelope.of("/health-service", report);
        KafkaTestClient.produce(PodEvents.bootstrap(), Topics.HEALTH_REPORTS, event.key(), EventCodec.encodeToString(event),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE));
    }

    private static PodHealth pod(String name, String health, boolean serving) {
        return new PodHealth(name, "d-el-4", "node-b", "10.0.0.9", "http://10.0.0.9:8080/health", health, serving,
                null, 0, null, null, null, List.of());
    }

    @Test
    void theAppsThisInstanceProbesAreReportedToTheOthers() {
        PodRef pod = PodEvents.pod("reported", "reported-1-a");
        String self = given().get("/api/dashboard").then().statusCode(200).extract().path("instance");
        try (PodServer server = PodServer.start().answer(200, "ok");
             var reports = KafkaTestClient.reader(PodEvents.bootstrap(), Topics.HEALTH_REPORTS)) {
            PodEvents.send(PodEvents.started(pod, "simple", server.port(), 1, 1));
            var record = reports.await(r -> PodEvents.decode(r).data() instanceof AppHealthReport a
                    && a.appName().equals("reported") && !a.versions().isEmpty()
                    && a.versions().get(0).pods().stream().anyMatch(PodHealth::serving), WAIT);
            AppHealthReport report = (AppHealthReport) PodEvents.decode(record).data();
            assertThat(record.key()).isEqualTo("test/reported");
            assertThat(report.reporter()).isEqualTo(self);
            assertThat(report.versions().get(0).pods()).singleElement().satisfies(p -> {
                assertThat(p.podName()).isEqualTo("reported-1-a");
                assertThat(p.health()).isEqualTo("ready");
                assertThat(p.lastProbe().httpStatus()).isEqualTo(200);
                assertThat(p.latency().maxMillis()).anyMatch(v -> v != null);
            });

            PodEvents.send(new PodGone(pod, "test over"));
            reports.await(r -> PodEvents.decode(r).data() instanceof AppHealthReport a
                    && a.appName().equals("reported") && a.versions().isEmpty(), WAIT);
        }
    }

    @Test
    void theAppsAnotherInstanceProbesAreShownFromItsReportsUntilTheyAreGone() {
        try (KafkaConsumer<String, String> other = PodEvents.otherMemberOfTheGroup(WAIT)) {
            Set<Integer> theirs = other.assignment().stream().map(TopicPartition::partition).collect(Collectors.toSet());
            String app = IntStream.range(0, 100).mapToObj(i -> "elsewhere" + i)
                    .filter(a -> theirs.contains(PodEvents.partitionOf("test/" + a))).findFirst().orElseThrow();
            showsTheReportsOfAnotherInstance(app);
        }
    }

    private void showsTheReportsOfAnotherInstance(String app) {
        Instant now = Instant.now();
        publish(new AppHealthReport("replica-b", now, "test", app, "4",
                List.of(new VersionHealth("4", 1, List.of(pod(app + "-4-a", "ready", true),
                        pod(app + "-4-b", "unhealthy", false)))),
                List.of(), List.of(new RaisedRestartAlert(now, "4", app + "-4-b", 4, 3600, 3, "Error (exit 1)")),
                new Series(now.minusSeconds(120), 60_000, List.of(0, 4))));

        await().atMost(WAIT).untilAsserted(() -> given().get("/api/dashboard").then()
                .body("apps.app", hasItem(app))
                .body("apps.find { it.app == '" + app + "' }.reporter", equalTo("replica-b"))
                .body("apps.find { it.app == '" + app + "' }.servingVersion", equalTo("4"))
                .body("apps.find { it.app == '" + app + "' }.versions[0].state", equalTo("degraded"))
                .body("apps.find { it.app == '" + app + "' }.restartsInWindow", equalTo(4))
                .body("alerts.pod", hasItem(app + "-4-b")));
        given().get("/api/dashboard/apps/test/" + app).then().statusCode(200)
                .body("reporter", equalTo("replica-b"))
                .body("versions[0].pods.podName", contains(app + "-4-a", app + "-4-b"))
                .body("versions[0].pods.health", containsInAnyOrder("ready", "unhealthy"));

        publish(new AppHealthReport("replica-b", Instant.now(), "test", app, null, List.of(), List.of(),
                List.of(), new Series(now, 60_000, List.of(0))));
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/dashboard").then()
                .body("apps.app", not(hasItem(app))));
        given().get("/api/dashboard/apps/test/" + app).then().statusCode(404);
    }
}
