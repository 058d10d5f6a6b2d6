package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.events.signing.SigningKeys;
import io.bgdeploy.infra.testing.SharedInfra;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * deployctl against a real broker; the test plays the deployer: it reads the request from
 * deploy-requests and answers on deploy-events, among records deployctl must ignore.
 */
class KafkaDeployTest {

    private static String bootstrap;

    @BeforeAll
    static void broker() {
        bootstrap = SharedInfra.kafka().bootstrapServers();
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static CompletableFuture<Run> deployctl(String... extra) {
        List<String> args = new ArrayList<>(List.of("deploy", "--descriptor", DescriptorFileTest.sample().toString(),
                "--bootstrap", bootstrap, "--requested-by", "ci-job-7"));
        args.addAll(List.of(extra));
        return command(args);
    }

    private static CompletableFuture<Run> command(List<String> args) {
        return command(args, new ByteArrayOutputStream());
    }

    /** Runs deployctl in the background; {@code out} shows its standard output while it runs. */
    private static CompletableFuture<Run> command(List<String> args, ByteArrayOutputStream out) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        });
    }

    /** The deploy request deployctl published for {@code key}, read as the deployer reads it. */
    private static ConsumerRecord<String, String> awaitRequest(String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-deployer-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.DEPLOY_REQUESTS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no deploy request for " + key + " on " + Topics.DEPLOY_REQUESTS + " within 60 s");
    }

    private static void answer(EventData data) {
        EventEnvelope<?> e = EventEnvelope.of("/deployer-service", data);
        produce(e.key(), EventCodec.encodeToString(e));
    }

    /** One record on deploy-events, acknowledged by the broker, as the deployer would write it. */
    private static void produce(String key, String value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(Topics.DEPLOY_EVENTS, key, value);
            record.headers().add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("cannot produce to " + Topics.DEPLOY_EVENTS + ": " + ex, ex);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void publishesTheRequestFollowsItsDeploymentAndExitsZeroWhenDeployed() throws Exception {
        CompletableFuture<Run> run = deployctl("--namespace", "staging");

        ConsumerRecord<String, String> record = awaitRequest("staging/web");
        assertThat(header(record, "content-type")).isEqualTo(EventEnvelope.CONTENT_TYPE);
        DeployRequested request = EventCodec.decode(record.value(), DeployRequested.class).data();
        assertThat(request.requestedBy()).isEqualTo("ci-job-7");
        assertThat(request.descriptor().namespace()).isEqualTo("staging");
        assertThat(request.descriptor().podspec().get("containers").get(0).get("image").asText())
                .isEqualTo("registry.example.com/web:1.4.2");
        String requestId = request.requestId();

        produce("staging/web", "{\"not\": \"an event\"}");
        answer(new DeploymentFinished("other-app-deployment", "staging", "api", "9", DeploymentStatus.FAILURE, "not ours", 5));
        answer(new DeploymentAccepted("d-earlier", "another-request", "someone", "staging", "web", "2"));
        answer(new DeploymentAccepted("d-42", requestId, "ci-job-7", "staging", "web", "3"));
        answer(new DeploymentFinished("d-earlier", "staging", "web", "2", DeploymentStatus.FAILURE, "not ours either", 5));
        answer(new DeploymentPhaseChanged("d-42", "staging", "web", "3", DeploymentPhase.PREPARING, null, null));
        answer(new DeploymentPhaseChanged("d-42", "staging", "web", "3", DeploymentPhase.WAITING_FOR_HEALTH, "2 pods", 1200L));
        answer(new DeploymentPhaseChanged("d-42", "staging", "web", "3", DeploymentPhase.SWITCHING, null, 4100L));
        answer(new DeploymentFinished("d-42", "staging", "web", "3", DeploymentStatus.DEPLOYED, null, 6000));

        Run result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("requesting staging/web version # on Kafka " + bootstrap + " (request " + requestId + ", unsigned)",
                "accepted: deployment d-42 of staging/web version 3 requested by ci-job-7",
                "phase WAITING_FOR_HEALTH: 2 pods", "  WAITING_FOR_HEALTH took 4.1 s",
                "DEPLOYED staging/web version 3 (deployment d-42) after 6.0 s");
        assertThat(result.out()).doesNotContain("not ours");
        assertThat(result.err()).contains("skipped an unreadable record of staging/web");
    }

    @Test
    void aRejectionOfItsRequestExitsTwo(@TempDir Path dir) throws Exception {
        Path clientConfig = dir.resolve("client.properties");
        Files.writeString(clientConfig, "# as for a broker with TLS or SASL\nclient.dns.lookup=use_all_dns_ips\n");
        CompletableFuture<Run> run = deployctl("--namespace", "review", "--kafka-config", clientConfig.toString());

        String requestId = EventCodec.decode(awaitRequest("review/web").value(), DeployRequested.class).data().requestId();
        answer(new DeploymentRejected(requestId, "review/web", "version 3 of review/web is already deployed",
                List.of()));

        Run result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isEqualTo(Outcome.REJECTED);
        assertThat(result.out()).contains("REJECTED review/web: version 3 of review/web is already deployed");
    }

    @Test
    void noAnswerWithinTheTimeoutExitsThree() throws Exception {
        Run result = deployctl("--namespace", "nobody-listens", "--timeout", "3s").get(60, TimeUnit.SECONDS);

        assertThat(result.exitCode()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.out()).contains("no answer to request", "within 3.0 s: is deployer-service running");
    }

    @Test
    void withJsonOutputStdoutHoldsTheResultAndWatchFollowsTheSameDeployment() throws Exception {
        CompletableFuture<Run> run = deployctl("--namespace", "json-out", "--set", "image=registry.example.com/web:1.5.0",
                "--output", "json");
        ConsumerRecord<String, String> record = awaitRequest("json-out/web");
        DeployRequested request = EventCodec.decode(record.value(), DeployRequested.class).data();
        assertThat(request.descriptor().podspec().get("containers").get(0).get("image").asText())
                .isEqualTo("registry.example.com/web:1.5.0");
        ByteArrayOutputStream watchOut = new ByteArrayOutputStream();
        CompletableFuture<Run> watch = command(List.of("watch", "web", "--namespace", "json-out", "--deployment", "d-77",
                "--bootstrap", bootstrap, "--timeout", "60s"), watchOut);
        // the watcher reads from the end of deploy-events: answer once it says it is positioned
        await().atMost(Duration.ofSeconds(30)).until(() -> watchOut.toString(StandardCharsets.UTF_8).contains("watching deploy-events"));

        answer(new DeploymentAccepted("d-77", request.requestId(), "ci-job-7", "json-out", "web", "5"));
        answer(new DeploymentPhaseChanged("d-77", "json-out", "web", "5", DeploymentPhase.SWITCHING, null, null));
        answer(new DeploymentFinished("d-77", "json-out", "web", "5", DeploymentStatus.FAILURE, "health check failed", 3000));

        Run result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isEqualTo(Outcome.FAILURE);
        JsonNode json = EventCodec.mapper().readTree(result.out());
        assertThat(json.get("result").asText()).isEqualTo("FAILURE");
        assertThat(json.get("exitCode").asInt()).isEqualTo(Outcome.FAILURE);
        assertThat(json.get("deploymentId").asText()).isEqualTo("d-77");
        assertThat(json.get("reason").asText()).isEqualTo("health check failed");
        assertThat(result.err()).as("progress lines go to stderr").contains("phase SWITCHING");

        Run watched = watch.get(60, TimeUnit.SECONDS);
        assertThat(watched.exitCode()).as(watched.out() + watched.err()).isEqualTo(Outcome.FAILURE);
        assertThat(watched.out()).contains("json-out/web accepted deployment d-77 version 5",
                "json-out/web d-77 phase SWITCHING", "json-out/web d-77 FAILURE version 5 after 3.0 s: health check failed");
    }

    @Test
    void aSigningKeySignsTheRecordAsSentAndTheDeployerCanVerifyIt(@TempDir Path dir) throws Exception {
        SigningKey key = SigningKey.of("signed/ci", java.util.Base64.getEncoder().encodeToString(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}));
        Path keyFile = dir.resolve("signing.key");
        Files.writeString(keyFile, "# the CI's key for namespace signed\nsigned/ci=" + java.util.Base64.getEncoder().encodeToString(key.secret()) + "\n");
        CompletableFuture<Run> run = deployctl("--namespace", "signed", "--signing-key-file", keyFile.toString(), "--timeout", "5s");

        ConsumerRecord<String, String> record = awaitRequest("signed/web");
        SigningKey signer = RequestSignature.verifyFor(header(record, RequestSignature.HEADER),
                record.value().getBytes(StandardCharsets.UTF_8), "signed", SigningKeys.of(key));
        assertThat(signer.id()).isEqualTo("signed/ci");
        assertThat(run.get(60, TimeUnit.SECONDS).out()).contains("signed with key signed/ci");

        Run wrongNamespace = deployctl("--namespace", "elsewhere", "--signing-key-file", keyFile.toString()).get(60, TimeUnit.SECONDS);
        assertThat(wrongNamespace.exitCode()).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(wrongNamespace.err()).contains("signing key signed/ci is for namespace signed, the request deploys to elsewhere");
    }
}
