package io.bgdeploy.health.messaging;

import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.EventType;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.PodRestarted;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.bgdeploy.health.PodEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.bgdeploy.health.PodEvents.bootstrap;
import static io.bgdeploy.health.PodEvents.pod;
import static io.bgdeploy.health.PodEvents.send;
import static io.bgdeploy.health.PodEvents.started;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

/** The service as the deployer meets it: pod-events in, pod-health out, over a real Kafka broker. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class PodEventsFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<PodServer> servers = new ArrayList<>();

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    @AfterEach
    void stopServers() {
        servers.forEach(PodServer::close);
    }

    private PodServer server(int status, String body) {
        PodServer s = PodServer.start().answer(status, body);
        servers.add(s);
        return s;
    }

    @Test
    void aHealthyPodIsPublishedReadyWithItsLastProbe() {
        PodServer server = server(200, "ok");
        PodRef pod = pod("shop", "shop-1-a");
        try (var health = KafkaTestClient.reader(bootstrap(), Topics.POD_HEALTH)) {
            send(started(pod, "simple", server.port(), 2, 2));

            ConsumerRecord<String, String> ready = health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.READY), WAIT);
            assertThat(ready.key()).isEqualTo("test/shop");
            assertThat(KafkaTestClient.header(ready, "content-type")).isEqualTo(EventEnvelope.CONTENT_TYPE);
            EventEnvelope<?> event = PodEvents.decode(ready);
            assertThat(event.type()).isEqualTo(EventType.POD_HEALTH_CHANGED.type());
            PodHealthChanged changed = (PodHealthChanged) event.data();
            assertThat(changed.pod().deploymentId()).isEqualTo("dep-shop");
            assertThat(changed.lastProbe().healthy()).isTrue();
            assertThat(changed.lastProbe().httpStatus()).isEqualTo(200);

            given().get("/api/dashboard/apps/test/shop").then().statusCode(200)
                    .body("versions[0].pods.podName", hasItem("shop-1-a"));

            send(new PodGone(pod, "scaled down"));
            health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.GONE), WAIT);
        }
    }

    @Test
    void aProbeEndpointAnsweringUnhealthyIsPublishedUnhealthyWithTheReason() {
        PodServer server = server(200, "{\"healthy\": false, \"db\": \"down\"}");
        PodRef pod = pod("orders", "orders-1-a");
        try (var health = KafkaTestClient.reader(bootstrap(), Topics.POD_HEALTH)) {
            send(started(pod, "probe", server.port(), 1, 2));

            PodHealthChanged changed = (PodHealthChanged) PodEvents.decode(
                    health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.UNHEALTHY), WAIT)).data();
            assertThat(changed.lastProbe().error()).isEqualTo("probe answered {\"healthy\": false}");
            assertThat(changed.lastProbe().bodyExcerpt()).contains("\"db\": \"down\"");
        }
    }

    @Test
    void aPodThatRestartsTooOftenRaisesOneAlertWithTheReason() {
        PodRef pod = pod("leaky", "leaky-1-a");
        PodServer marker = server(200, "ok");
        PodRef markerPod = pod("leaky", "leaky-1-marker");
        try (var health = KafkaTestClient.reader(bootstrap(), Topics.POD_HEALTH)) {
            for (int restart = 1; restart <= 6; restart++) {
                send(new PodRestarted(pod, "app", restart, restart < 3 ? "Error" : "OOMKilled"));
            }
            // Same app key, same partition: once the marker is ready, every restart before it was handled.
            send(started(markerPod, "simple", marker.port(), 1, 1));
            health.await(r -> PodEvents.isHealth(r, markerPod, PodHealthState.READY), WAIT);

            List<RestartAlertRaised> alerts = health.records().stream().map(PodEvents::decode)
                    .filter(e -> e.data() instanceof RestartAlertRaised a && a.pod().podName().equals("leaky-1-a"))
                    .map(e -> (RestartAlertRaised) e.data()).toList();
            assertThat(alerts).as("one alert, not one per restart").hasSize(1);
            assertThat(alerts.get(0).restartsInWindow()).isEqualTo(3);
            assertThat(alerts.get(0).threshold()).isEqualTo(2);
            assertThat(alerts.get(0).lastReason()).isEqualTo("OOMKilled");
        }
        given().get("/api/dashboard").then().statusCode(200)
                .body("alerts.pod", hasItem("leaky-1-a"))
                .body("alerts.find { it.pod == 'leaky-1-a' }.reason", containsString("OOMKilled"));
    }

    @Test
    void malformedPodEventsGoToTheDeadLetterTopicAndTheNextRecordIsRead() {
        PodServer server = server(200, "ok");
        PodRef pod = pod("billing", "billing-1-a");
        try (var dlq = KafkaTestClient.reader(bootstrap(), Topics.POD_EVENTS_DLQ);
             var health = KafkaTestClient.reader(bootstrap(), Topics.POD_HEALTH)) {
            KafkaTestClient.produce(bootstrap(), Topics.POD_EVENTS, "test/billing", "{not json");
            String missingPod = "{\"specversion\":\"1.0\",\"id\":\"x1\",\"source\":\"/ci\","
                    + "\"type\":\"io.bgdeploy.pod.gone\",\"subject\":\"test/billing\",\"time\":\"2026-01-01T00:00:00Z\","
                    + "\"datacontenttype\":\"application/json\",\"data\":{\"reason\":\"x\"}}";
            KafkaTestClient.produce(bootstrap(), Topics.POD_EVENTS, "test/billing", missingPod, Map.of());
            send(started(pod, "simple", server.port(), 1, 1));

            ConsumerRecord<String, String> notJson = dlq.await(r -> "{not json".equals(r.value()), WAIT);
            assertThat(KafkaTestClient.header(notJson, Topics.DLQ_REASON_HEADER)).contains("not JSON");
            ConsumerRecord<String, String> noPod = dlq.await(r -> missingPod.equals(r.value()), WAIT);
            assertThat(KafkaTestClient.header(noPod, Topics.DLQ_REASON_HEADER)).contains("pod");
            health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.READY), WAIT);
        }
    }

    @Test
    void metricsCountProbesAndTransitions() {
        PodServer server = server(200, "ok");
        PodRef pod = pod("metered", "metered-1-a");
        try (var health = KafkaTestClient.reader(bootstrap(), Topics.POD_HEALTH)) {
            send(started(pod, "simple", server.port(), 1, 1));
            health.await(r -> PodEvents.isHealth(r, pod, PodHealthState.READY), WAIT);
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("health_probes_total{result=\"healthy\"}"))
                .body(containsString("health_probe_latency_seconds_bucket"))
                .body(containsString("health_pods{state=\"ready\"}"))
                .body(containsString("health_transitions_total{state=\"ready\"}"));
    }
}
