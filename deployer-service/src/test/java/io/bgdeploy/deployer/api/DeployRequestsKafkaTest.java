package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.deployer.testing.TestSigningKeys;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.infra.testing.DeployRequests;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * CI's way in: signed deploy-requests on Kafka, answers on deploy-events, malformed records and
 * requests that are not signed with a key of their namespace in the DLQ, against the real broker.
 */
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
        DeployRequests.publish(bootstrap, new DeployRequested(requestId, "ci-job-42", d), TestSigningKeys.of(d.namespace()));
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
            assertThat(accepted.requestedBy()).as("the signing key, then what the request says").isEqualTo("default/ci (ci-job-42)");
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
    void aRestRequestThatIsRejectedIsAnsweredOnDeployEventsAsAKafkaRequestRejectedForTheSameReason() throws Exception {
        String json = DeploymentApiTest.descriptor("samerejection", "4", "");
        String descriptorId = DeploymentApiTest.createDescriptor(json);
        assertThat(DeploymentApiTest.awaitFinal(DeploymentApiTest.startDeployment(descriptorId)).jsonPath()
                .getString("status")).isEqualTo("DEPLOYED");
        try (var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS)) {
            String restReason = given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                    .then().statusCode(409).extract().jsonPath().getString("error");
            var fromRest = data(awaitRecord(events, r -> is(r, DeploymentRejected.class,
                    x -> ((DeploymentRejected) x).reason().equals(restReason)), Duration.ofSeconds(60)), DeploymentRejected.class);

            request("req-same-rejection", EventCodec.read(json.getBytes(), Descriptor.class));
            var fromKafka = data(awaitRecord(events, r -> is(r, DeploymentRejected.class,
                    x -> "req-same-rejection".equals(((DeploymentRejected) x).requestId())), Duration.ofSeconds(60)),
                    DeploymentRejected.class);

            assertThat(fromRest.reason()).contains("version 4 of default/samerejection is already deployed");
            assertThat(fromRest.requestId()).as("a REST request has no request id").isNull();
            assertThat(fromRest).isEqualTo(new DeploymentRejected(null, fromKafka.key(), fromKafka.reason(),
                    fromKafka.problems()));
            assertThat(fromRest.key()).isEqualTo("default/samerejection");
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
        assertThat(kafka.getProducerChannels()).contains(Topics.DEPLOY_EVENTS, Topics.LB_COMMANDS, Topics.POD_EVENTS);
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

    /** A request as a hostile or mistaken client sends it: the record value and its headers. */
    record Sent(String value, Map<String, String> headers) {
    }

    private static final SigningKey DEFAULT_CI = TestSigningKeys.of("default");
    private static final SigningKey TEAM_A_CI = TestSigningKeys.of("team-a");

    static Stream<Arguments> hostileRequests() {
        SigningKey impostor = SigningKey.of("default/ci", Base64.getEncoder().encodeToString(new byte[32]));
        SigningKey unregistered = SigningKey.of("default/intruder", Base64.getEncoder().encodeToString(new byte[32]));
        return Stream.of(
                Arguments.of("unsigned", (Function<String, Sent>) value -> new Sent(value,
                        Map.of("content-type", EventEnvelope.CONTENT_TYPE)), "the request is not signed"),
                Arguments.of("signed with another secret under the namespace's key id", (Function<String, Sent>) value ->
                        new Sent(value, DeployRequests.headers(value, impostor)), "does not match the request for key 'default/ci'"),
                Arguments.of("signed with an unregistered key", (Function<String, Sent>) value ->
                        new Sent(value, DeployRequests.headers(value, unregistered)), "key 'default/intruder' is not registered"),
                Arguments.of("signed with another namespace's key", (Function<String, Sent>) value ->
                        new Sent(value, DeployRequests.headers(value, TEAM_A_CI)),
                        "key 'team-a/ci' may deploy to namespace team-a, not to default"),
                Arguments.of("changed after signing", (Function<String, Sent>) value ->
                        new Sent(value.replace("\"replicas\":1", "\"replicas\":3"), DeployRequests.headers(value, DEFAULT_CI)),
                        "the request was changed after signing"),
                Arguments.of("its signature replayed under another key id", (Function<String, Sent>) value -> {
                    String jws = RequestSignature.sign(DEFAULT_CI, value.getBytes(StandardCharsets.UTF_8));
                    String otherKid = Base64.getUrlEncoder().withoutPadding().encodeToString(
                            "{\"alg\":\"HS256\",\"kid\":\"team-a/ci\"}".getBytes(StandardCharsets.UTF_8));
                    return new Sent(value, Map.of("content-type", EventEnvelope.CONTENT_TYPE,
                            RequestSignature.HEADER, otherKid + jws.substring(jws.indexOf('.'))));
                }, "does not match the request for key 'team-a/ci'"),
                Arguments.of("downgraded to alg none", (Function<String, Sent>) value -> new Sent(value, Map.of(
                        "content-type", EventEnvelope.CONTENT_TYPE, RequestSignature.HEADER, Base64.getUrlEncoder().withoutPadding()
                                .encodeToString("{\"alg\":\"none\",\"kid\":\"default/ci\"}".getBytes(StandardCharsets.UTF_8)) + "..")),
                        "the signature's algorithm must be HS256, not none"));
    }

    @ParameterizedTest(name = "a request {0} is rejected, answered with the reason and sent to the DLQ")
    @MethodSource("hostileRequests")
    void aRequestThatIsNotSignedWithAKeyOfItsNamespaceIsRejectedAndDeadLettered(String what, Function<String, Sent> attack,
                                                                             String reason) throws Exception {
        String app = "hostile-" + Integer.toHexString(what.hashCode());
        String requestId = "hostile-" + UUID.randomUUID();
        Descriptor d = EventCodec.read(DeploymentApiTest.descriptor(app, "#", "").getBytes(), Descriptor.class);
        EventEnvelope<DeployRequested> env = EventEnvelope.of("/ci", new DeployRequested(requestId, "ci-job-42", d));
        Sent sent = attack.apply(EventCodec.encodeToString(env));
        KafkaTestClient.produce(bootstrap, Topics.DEPLOY_REQUESTS, env.key(), sent.value(), sent.headers());

        try (var dlq = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_REQUESTS_DLQ);
             var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS)) {
            var rejected = data(awaitRecord(events, r -> is(r, DeploymentRejected.class,
                    x -> requestId.equals(((DeploymentRejected) x).requestId())), Duration.ofSeconds(60)), DeploymentRejected.class);
            assertThat(rejected.key()).isEqualTo("default/" + app);
            assertThat(rejected.reason()).startsWith("deploy request not authenticated: ").contains(reason);

            var dead = awaitRecord(dlq, r -> sent.value().equals(r.value()), Duration.ofSeconds(60));
            assertThat(dead.key()).isEqualTo("default/" + app);
            assertThat(KafkaTestClient.header(dead, Topics.DLQ_REASON_HEADER)).contains(reason);
        }
        given().get("/deployments/?namespace=default&appname=" + app).then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void theKcatExampleSignsWithOpensslAsTheDeployerVerifiesAndAnUnsignedRunIsRejected(@TempDir Path dir) throws Exception {
        Path descriptor = dir.resolve("descriptor.json");
        Files.writeString(descriptor, DeploymentApiTest.descriptor("kcat-signed", "#", ""));
        String keyLine = "default/ci=" + Base64.getEncoder().encodeToString(DEFAULT_CI.secret());

        Script signed = kcatExample(dir, descriptor, Map.of("DEPLOY_SIGNING_KEY", keyLine));
        assertThat(signed.exitCode()).as(signed.output()).isZero();
        assertThat(signed.output()).contains("(request ", ", signed with key default/ci)", "accepted: deployment ",
                "DEPLOYED after ");
        given().get("/deployments/?namespace=default&appname=kcat-signed").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].requestedBy", equalTo("default/ci (kcat)"));

        Script unsigned = kcatExample(dir, descriptor, Map.of());
        assertThat(unsigned.exitCode()).as(unsigned.output()).isEqualTo(2);
        assertThat(unsigned.output()).contains(", unsigned)", "REJECTED: deploy request not authenticated: the request is not signed");
    }

    record Script(int exitCode, String output) {
    }

    /** Runs examples/ci/deploy-with-kcat.sh as a CI job would, without the CI's own variables. */
    private static Script kcatExample(Path dir, Path descriptor, Map<String, String> env) throws Exception {
        Path script = Path.of("..", "examples", "ci", "deploy-with-kcat.sh").toAbsolutePath().normalize();
        Path output = Files.createTempFile(dir, "kcat-", ".out");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), descriptor.toString(), "default")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().keySet().removeAll(List.of("CI_JOB_URL", "GITHUB_RUN_ID", "DEPLOY_SIGNING_KEY"));
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("DEPLOY_TIMEOUT_SECONDS", "120");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the kcat example did not end: " + Files.readString(output));
        }
        return new Script(p.exitValue(), Files.readString(output));
    }
}
