package io.bgdeploy.logshipper;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.logshipper.receiver.GelfReceiverResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The service as deployed: consumes container-logs from a real broker and ships GELF to a spec-exact HTTP receiver. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(GelfReceiverResource.class)
class LogShipperTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static void produce(String line) {
        var record = new ContainerLogRecord(Instant.now(), "stdout", line, "shop", "cart", "3", "cart-3-7f9c", "app",
                "node-1", "dep-42");
        var event = EventEnvelope.of("/test", record);
        KafkaTestClient.produce(bootstrap(), Topics.CONTAINER_LOGS, event.key(), EventCodec.encodeToString(event),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE));
    }

    private static boolean received(String line) {
        return GelfReceiverResource.RECEIVER.messages().stream()
                .map(m -> m.get("short_message").asText()).anyMatch(line::equals);
    }

    @Test
    void containerLogsArriveInGraylogAndMalformedRecordsGoToTheDeadLetterTopic() {
        String line = "INFO order placed " + UUID.randomUUID();
        KafkaTestClient.produce(bootstrap(), Topics.CONTAINER_LOGS, "shop/cart-3-7f9c", "{\"not\":\"an event\"}");
        produce(line);

        await().atMost(WAIT).until(() -> received(line));
        JsonNode m = GelfReceiverResource.RECEIVER.messages().stream()
                .filter(n -> n.get("short_message").asText().equals(line)).findFirst().orElseThrow();
        assertThat(m.get("_deployment_id").asText()).isEqualTo("dep-42");
        assertThat(GelfReceiverResource.RECEIVER.rejections()).isEmpty();
        try (var dlq = KafkaTestClient.reader(bootstrap(), Topics.CONTAINER_LOGS_DLQ)) {
            var letter = dlq.await(r -> "{\"not\":\"an event\"}".equals(r.value()), WAIT);
            assertThat(KafkaTestClient.header(letter, Topics.DLQ_REASON_HEADER)).isNotBlank();
        }
        when().get("/q/metrics").then().statusCode(200).body(containsString("logshipper_records_delivered_total"),
                containsString("logshipper_records_refused_total"));
        when().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'loops' }.data.shipper", equalTo("running"));
    }

    @Test
    void readinessIsDownWhileGraylogIsDownAndTheRecordsArriveWhenItIsBack() {
        await().atMost(WAIT).untilAsserted(() -> when().get("/q/health/ready").then().statusCode(200));
        GelfReceiverResource.RECEIVER.stop();
        String[] lines = new String[5];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "during the outage " + i + " " + UUID.randomUUID();
            produce(lines[i]);
        }
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                .body(containsString("graylog")));

        GelfReceiverResource.RECEIVER.start();
        await().atMost(WAIT).untilAsserted(() -> when().get("/q/health/ready").then().statusCode(200));
        for (String line : lines) {
            await().atMost(WAIT).until(() -> received(line));
        }
    }
}
