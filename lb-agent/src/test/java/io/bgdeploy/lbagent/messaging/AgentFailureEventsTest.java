package io.bgdeploy.lbagent.messaging;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lbagent.testing.AgentAppResource;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged application: a failure of the agent while Kafka refuses its lb-events record (the
 * broker set to refuse records that large). The failure is in etcd at once, where lb-config-service
 * waits on it; the event is sent again until Kafka takes it, and HAProxy stays ready throughout.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
@QuarkusTestResource(AgentAppResource.class)
class AgentFailureEventsTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static LbAgentFailed failure(ConsumerRecord<String, String> r) {
        try {
            return EventCodec.decode(r.value()).data() instanceof LbAgentFailed f ? f : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void aFailureKafkaRefusesIsInEtcdAtOnceAndItsEventIsSentAgainUntilKafkaTakesIt() {
        SharedInfra.kafka().createTopics(List.of(Topics.LB_EVENTS), 4);
        try (LbConfigWriter writer = new LbConfigWriter(SharedInfra.etcd().endpoint());
             var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            KafkaTestClient.limitRecordSize(bootstrap, Topics.LB_EVENTS, 64);
            long revision;
            try {
                revision = writer.switchFrontend(new FrontendSpec(HostName.of("secure.example.com"), false, false, List.of(), false,
                        TlsMode.HTTPS_ONLY, "/nonexistent/cert.pem"), "default-shop-1");

                AgentProgress progress = writer.awaitFailure(AgentAppResource.AGENT_ID, revision, Duration.ofSeconds(60));
                assertThat(progress.failure()).contains("cert.pem");
                // each reconcile step with a histogram, so that its tail is seen and not only its mean
                assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                        .containsPattern("lbagent_step_seconds_bucket\\{[^}]*step=\"read\"[^}]*} [1-9]")
                        // servers leaving, for a retiring that is stuck: none here, no version was replaced
                        .contains("lbagent_servers_leaving 0.0", "lbagent_servers_not_deletable 0.0");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                        .body(containsString("lbagent_failure_events_unsent 1.0")));
                assertThat(events.records().stream().map(AgentFailureEventsTest::failure).filter(java.util.Objects::nonNull))
                        .as("no failure event while Kafka refuses it").isEmpty();
            } finally {
                KafkaTestClient.limitRecordSize(bootstrap, Topics.LB_EVENTS, null);
            }

            ConsumerRecord<String, String> sent = events.await(r -> failure(r) != null, Duration.ofSeconds(90));
            assertThat(failure(sent).revision()).as("the revision of the agent's latest attempt, the switch or later")
                    .isGreaterThanOrEqualTo(revision);
            assertThat(failure(sent).reason()).contains("cert.pem");
            assertThat(sent.key()).isEqualTo("agent/" + AgentAppResource.AGENT_ID);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("lbagent_failure_events_unsent 0.0")));
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        }
    }
}
