package io.bgdeploy.logshipper.config;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.logshipper.receiver.GelfReceiverResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shipper's own Kafka clients take the application's kafka.* security settings, as the
 * SmallRye channels of the other services do: against a listener that takes SASL/PLAIN clients
 * only, configured with nothing but {@code kafka.security.protocol}, {@code kafka.sasl.mechanism}
 * and {@code kafka.sasl.jaas.config}, records arrive at the GELF receiver.
 */
@QuarkusTest
@TestProfile(KafkaSecuritySettingsTest.OnlySasl.class)
class KafkaSecuritySettingsTest {

    /** This broker instead of the shared one, and the GELF receiver. */
    public static class OnlySasl implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SaslKafka.class), new TestResourceEntry(GelfReceiverResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** A broker whose second listener demands SASL/PLAIN; the app is given only that listener. */
    public static class SaslKafka implements QuarkusTestResourceLifecycleManager {
        static KafkaBroker broker;

        @Override
        public Map<String, String> start() {
            broker = KafkaBroker.startWithSaslPlain(SharedInfra.workDir("kafka-sasl"), Map.of("shipper", "s3cret"));
            return Map.of("kafka.bootstrap.servers", broker.saslBootstrapServers(),
                    "kafka.security.protocol", "SASL_PLAINTEXT",
                    "kafka.sasl.mechanism", "PLAIN",
                    "kafka.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"shipper\" password=\"s3cret\";");
        }

        @Override
        public void stop() {
            broker.close();
        }
    }

    @Test
    void recordsArriveThroughAListenerThatDemandsSasl() throws Exception {
        try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SaslKafka.broker.saslBootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000"))) {
            assertThatThrownBy(() -> anonymous.describeCluster().nodes().get(5, TimeUnit.SECONDS))
                    .as("a client without SASL gets nothing from that listener").isNotNull();
        }
        String line = "INFO through SASL " + UUID.randomUUID();
        var event = EventEnvelope.of("/test", new ContainerLogRecord(Instant.now(), "stdout", line, "shop", "cart", "3",
                "cart-3-7f9c", "app", "node-1", "d-1"));
        KafkaTestClient.produce(SaslKafka.broker.bootstrapServers(), Topics.CONTAINER_LOGS, event.key(),
                EventCodec.encodeToString(event));

        await().atMost(Duration.ofSeconds(90)).until(() -> GelfReceiverResource.RECEIVER.messages().stream()
                .anyMatch(m -> m.get("short_message").asText().equals(line)));
        when().get("/q/health/ready").then().statusCode(200);
    }
}
