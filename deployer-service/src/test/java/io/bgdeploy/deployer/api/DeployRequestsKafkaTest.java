package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** CI's way in: deploy-requests on Kafka, answers on deploy-events, malformed records in the DLQ. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class DeployRequestsKafkaTest {

    static String bootstrap;

    @jakarta.inject.Inject
    io.smallrye.reactive.messaging.kafka.KafkaClientService kafka;

    @BeforeAll
    static void suite() {
        bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        KafkaSuiteDoubles.start(bootstrap);
    }

    private static void request(String requestId, Descriptor d) {
        EventEnvelope<DeployRequested> env = EventEnvelope.of("/ci", new DeployRequested(requestId, "ci-job-42", d));
        KafkaTestClient.produce(bootstrap, Topics.DEPLOY_REQUESTS, env.key(), EventCodec.encodeToString(env),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE));
    }

    /** Waits for a record, also while the topic does not exist yet. */
    private static ConsumerRecord<String, String> awaitRecord(KafkaTestClient.TopicReader reader,
            java.util.function.Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
        var found = new java.util.concurrent.atomic.AtomicReference<ConsumerRecord<String, String>>();
        org.awaitility.Awaitility.await().atMost(timeout).ignoreExceptions()
                .untilAsserted(() -> found.set(reader.await(match, Duration.ofSeconds(2))));
        return found.get();
    }

    private static <T> T data(ConsumerRecord<String, String> r, Class<T> type) {
        try {
            return type.cast(EventCodec.decode(r.value()).data());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean is(ConsumerRecord<String, String> r, Class<?> type, java.util.function.Predicate<Object> p) {
        try {
            Object d = EventCodec.decode(r.value()).data();
            return type.isInstance(d) && p.test(d);
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aRequestIsAcceptedDeployedAndARepeatedRequestIdIsNotDeployedTwice() throws Exception {
        Descriptor d = EventCodec.read(DeploymentApiTest.descriptor("fromkafka", "#", "").getBytes(), Descriptor.class);
        request("req-1", d);
        try (var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS)) {
            var accepted = data(awaitRecord(events, r -> is(r, DeploymentAccepted.class,
                    a -> "req-1".equals(((DeploymentAccepted) a).requestId())), Duration.ofSeconds(60)), DeploymentAccepted.class);
            assertThat(accepted.version()).isEqualTo("1");
            assertThat(accepted.requestedBy()).isEqualTo("ci-job-42");
            var finished = data(awaitRecord(events, r -> is(r, DeploymentFinished.class,
                    f -> ((DeploymentFinished) f).deploymentId().equals(accepted.deploymentId())), Duration.ofSeconds(60)),
                    DeploymentFinished.class);
            assertThat(finished.status()).isEqualTo(DeploymentStatus.DEPLOYED);

            request("req-1", d);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.records().stream()
                    .filter(x -> is(x, DeploymentAccepted.class, y -> "req-1".equals(((DeploymentAccepted) y).requestId())))
                    .count() >= 2);
            assertThat(events.records().stream().filter(x -> is(x, DeploymentAccepted.class,
                    y -> ((DeploymentAccepted) y).appName().equals("fromkafka"))))
                    .hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(x -> assertThat(data(x, DeploymentAccepted.class).deploymentId()).isEqualTo(accepted.deploymentId()));
        }
    }

    @Test
    void anInvalidDescriptorIsRejectedWithEveryProblem() throws Exception {
        Descriptor bad = EventCodec.read("""
                {"appName": "kafkabad", "replicas": 0, "healthCheckType": "tcp",
                 "podspec": {"containers": [{"name": "web", "image": "nginx"}]}}""".getBytes(), Descriptor.class);
        request("req-bad", bad);
        try (var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS)) {
            var rejected = data(awaitRecord(events, r -> is(r, DeploymentRejected.class,
                    x -> "req-bad".equals(((DeploymentRejected) x).requestId())), Duration.ofSeconds(60)), DeploymentRejected.class);
            assertThat(rejected.key()).isEqualTo("default/kafkabad");
            assertThat(rejected.problems()).anyMatch(p -> p.startsWith("replicas")).anyMatch(p -> p.startsWith("healthCheckType"));
        }
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicWithItsReasonAndIsAnswered() {
        KafkaTestClient.produce(bootstrap, Topics.DEPLOY_REQUESTS, "default/garbage", "{\"not\": \"a cloud event\"}");
        try (var dlq = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_REQUESTS_DLQ);
             var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS)) {
            var dead = awaitRecord(dlq, r -> "default/garbage".equals(r.key()), Duration.ofSeconds(60));
            assertThat(KafkaTestClient.header(dead, Topics.DLQ_REASON_HEADER)).contains("unknown CloudEvent attribute");
            var rejected = data(awaitRecord(events, r -> "default/garbage".equals(r.key()) && is(r, DeploymentRejected.class, x -> true),
                    Duration.ofSeconds(30)), DeploymentRejected.class);
            assertThat(rejected.reason()).startsWith("malformed deploy request");
        }
    }

    @Test
    void everyProducerWaitsForAllInSyncReplicasAndNeverWritesARecordTwice() {
        assertThat(kafka.getProducerChannels()).contains(Topics.DEPLOY_EVENTS, Topics.LB_COMMANDS, Topics.POD_EVENTS,
                Topics.CONTAINER_LOGS);
        for (String channel : kafka.getProducerChannels()) {
            Map<String, ?> config = kafka.getProducer(channel).configuration();
            assertThat(String.valueOf(config.get("acks"))).as("acks of %s", channel).isIn("all", "-1");
            assertThat(String.valueOf(config.get("enable.idempotence"))).as("idempotence of %s", channel).isEqualTo("true");
            assertThat(Long.parseLong(String.valueOf(config.get("delivery.timeout.ms")))
                    + Long.parseLong(String.valueOf(config.get("max.block.ms"))))
                    .as("%s gives its verdict before the deployer stops waiting for it", channel)
                    .isLessThan(ConfigProvider.getConfig().getValue("deployer.event-send-timeout", Duration.class).toMillis());
        }
    }
}
