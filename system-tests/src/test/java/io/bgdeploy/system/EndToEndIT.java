package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;
import io.bgdeploy.infra.testing.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * All four services as separate processes, against a real Kafka broker, etcd and HAProxy, on the
 * local platform: deployments requested the way CI requests them, with a plain Kafka producer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    static final String HOST = "e2e.localhost";
    static final String APP = "e2e";
    static Suite suite;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startSuite() throws IOException {
        Path root = Path.of(System.getProperty("bgdeploy.root", "..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory(root.resolve("system-tests/target"), "suite-");
        suite = Suite.start(Suite.Options.freePorts(root, work), System.out, Map.of(
                Suite.DEPLOYER, Map.of("deployer.drain-delay", "2s", "deployer.health-deadline", "30s",
                        "deployer.health-check.period-millis", "300")));
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void aDeployRequestFromCiSwitchesTrafficWithoutAFailedRequestAndRemovesTheOldVersion() throws Exception {
        DeploymentFinished v1 = requestAndAwait(descriptor(Map.of()));
        assertThat(v1.status()).as("first deployment: %s", v1.reason()).isEqualTo(DeploymentStatus.DEPLOYED);

        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                200_000, Duration.ofMinutes(4), Duration.ofMillis(2))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version " + v1.version()));

            DeploymentFinished v2 = requestAndAwait(descriptor(Map.of()));
            assertThat(v2.status()).as("second deployment: %s", v2.reason()).isEqualTo(DeploymentStatus.DEPLOYED);
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version " + v2.version()));
            long afterSwitch = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > afterSwitch + 100);
            traffic.close();

            assertThat(traffic.failed()).as("failed requests (%s) of %d", traffic.failures(), traffic.sent()).isZero();
            assertThat(traffic.answers().keySet()).allMatch(b -> b.contains("version " + v1.version()) || b.contains("version " + v2.version()));
            String oldBackend = "default-" + APP + "-" + v1.version();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get(suite.service(Suite.LB_CONFIG).url("/backends"))).doesNotContain("\"" + oldBackend + "\""));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(versionsOnDashboard()).doesNotContain(v1.version()).contains(v2.version()));
        }
    }

    @Test
    @Order(2)
    void aVersionWhoseHealthCheckFailsEndsInFailureAndTheOldVersionKeepsServing() throws Exception {
        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                200_000, Duration.ofMinutes(3), Duration.ofMillis(5))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > 10);
            String serving = traffic.lastBody();

            DeploymentFinished failed = requestAndAwait(descriptor(Map.of("HEALTH", "fail")));

            assertThat(failed.status()).isEqualTo(DeploymentStatus.FAILURE);
            assertThat(failed.reason()).isNotBlank();
            long after = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > after + 50);
            traffic.close();
            assertThat(traffic.failed()).as("failed requests: %s", traffic.failures()).isZero();
            assertThat(traffic.lastBody()).isEqualTo(serving);
        }
    }

    @Test
    @Order(3)
    void thePodsOutputArrivesAtTheGelfReceiverWithItsFields() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(suite.gelfFile()).exists();
            List<JsonNode> messages = Files.readAllLines(suite.gelfFile()).stream().map(EndToEndIT::json)
                    .filter(m -> APP.equals(m.path("_app").asText())).toList();
            assertThat(messages).isNotEmpty();
            JsonNode m = messages.get(messages.size() - 1);
            assertThat(m.path("version").asText()).isEqualTo("1.1");
            assertThat(m.path("host").asText()).startsWith(APP + "-");
            assertThat(m.path("short_message").asText()).isNotEmpty();
            assertThat(m.path("_namespace").asText()).isEqualTo("default");
            assertThat(m.path("_pod").asText()).isEqualTo(m.path("host").asText());
            assertThat(m.path("_version").asText()).isNotEmpty();
            assertThat(m.path("_stream").asText()).isIn("stdout", "stderr");
            assertThat(m.has("_id")).isFalse();
        });
    }

    @Test
    @Order(4)
    void theDashboardShowsThePodsOfTheDeployedVersionAsReady() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode dashboard = json(get(suite.service(Suite.HEALTH).url("/api/dashboard")));
            JsonNode app = null;
            for (JsonNode a : dashboard.path("apps")) {
                if (APP.equals(a.path("app").asText())) {
                    app = a;
                }
            }
            assertThat(app).as("app %s on the dashboard: %s", APP, dashboard).isNotNull();
            JsonNode serving = null;
            for (JsonNode v : app.path("versions")) {
                if (v.path("serving").asInt() > 0) {
                    serving = v;
                }
            }
            assertThat(serving).as("a version with ready pods").isNotNull();
            assertThat(serving.path("serving").asInt()).isEqualTo(2);
        });
    }

    @ParameterizedTest(name = "kill -9 of {0} during a deployment")
    @ValueSource(strings = {Suite.DEPLOYER, Suite.LB_CONFIG, Suite.HEALTH, Suite.LOG_SHIPPER})
    @Order(5)
    void aServiceKilledDuringADeploymentAndRestartedLeavesOneCleanVersionAndNoFailedRequest(String module) throws Exception {
        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                400_000, Duration.ofMinutes(6), Duration.ofMillis(5));
             var events = KafkaTestClient.reader(suite.kafkaBootstrap(), Topics.DEPLOY_EVENTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > 10);
            String deploymentId = request(events, descriptor(Map.of()));
            DeploymentPhase killAt = module.equals(Suite.LB_CONFIG) ? DeploymentPhase.SWITCHING : DeploymentPhase.WAITING_FOR_HEALTH;
            events.await(r -> data(r) instanceof DeploymentPhaseChanged p && deploymentId.equals(p.deploymentId())
                    && p.phase() == killAt, Duration.ofMinutes(2));

            suite.service(module).kill();
            suite.service(module).restart();

            DeploymentFinished finished = (DeploymentFinished) data(events.await(r -> data(r) instanceof DeploymentFinished f
                    && deploymentId.equals(f.deploymentId()), Duration.ofMinutes(3)));
            assertThat(finished.status()).isIn(DeploymentStatus.DEPLOYED, DeploymentStatus.FAILURE);
            String serving = "default-" + APP + "-";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode backends = json(get(suite.service(Suite.LB_CONFIG).url("/backends"))).path("backends");
                assertThat(backends.findValuesAsText("id").stream().filter(id -> id.startsWith(serving)).toList())
                        .as("backends of %s after %s", APP, finished).hasSize(1);
                assertThat(versionsOnDashboard()).as("versions with pods").hasSize(1);
            });
            long after = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > after + 50);
            traffic.close();
            assertThat(traffic.failed()).as("failed requests through HAProxy: %s", traffic.failures()).isZero();
        }
    }

    /** Versions of the app that have pods, as the health dashboard shows them. */
    private List<String> versionsOnDashboard() throws Exception {
        JsonNode dashboard = json(get(suite.service(Suite.HEALTH).url("/api/dashboard")));
        for (JsonNode a : dashboard.path("apps")) {
            if (APP.equals(a.path("app").asText())) {
                List<String> versions = new java.util.ArrayList<>();
                a.path("versions").forEach(v -> {
                    if (v.path("pods").asInt() > 0) {
                        versions.add(v.path("version").asText());
                    }
                });
                return versions;
            }
        }
        return List.of();
    }

    /** Publishes a deploy request as CI would, and waits for the deployment it started to finish. */
    static DeploymentFinished requestAndAwait(Descriptor descriptor) {
        try (var events = KafkaTestClient.reader(suite.kafkaBootstrap(), Topics.DEPLOY_EVENTS)) {
            String deploymentId = request(events, descriptor);
            ConsumerRecord<String, String> finished = events.await(r -> data(r) instanceof DeploymentFinished f
                    && deploymentId.equals(f.deploymentId()), Duration.ofMinutes(2));
            return (DeploymentFinished) data(finished);
        }
    }

    /** Publishes a deploy request as CI would; returns the id of the deployment it was accepted as. */
    static String request(KafkaTestClient.TopicReader events, Descriptor descriptor) {
        String requestId = UUID.randomUUID().toString();
        var request = EventEnvelope.of("/ci/e2e", new DeployRequested(requestId, "e2e-test", descriptor));
        KafkaTestClient.produce(suite.kafkaBootstrap(), Topics.DEPLOY_REQUESTS, request.key(),
                EventCodec.encodeToString(request), Map.of("content-type", EventEnvelope.CONTENT_TYPE));
        ConsumerRecord<String, String> accepted = events.await(r -> data(r) instanceof DeploymentAccepted a
                && requestId.equals(a.requestId()), Duration.ofSeconds(60));
        return ((DeploymentAccepted) data(accepted)).deploymentId();
    }

    static Object data(ConsumerRecord<String, String> record) {
        try {
            return EventCodec.decode(record.value()).data();
        } catch (MalformedEventException e) {
            return null;
        }
    }

    static Descriptor descriptor(Map<String, String> env) throws IOException {
        Path app = Path.of(System.getProperty("bgdeploy.root", "..")).toAbsolutePath().normalize()
                .resolve("deployer-service/src/main/resources/sample-app/SampleApp.java");
        ObjectNode d = (ObjectNode) EventCodec.mapper().readTree("""
                {"namespace": "default", "appName": "%s", "newVersion": "#", "replicas": 2, "frontend": "%s",
                 "useHealthCheck": true, "healthCheckPath": "/health", "healthCheckPort": 8080, "healthCheckType": "probe",
                 "podspec": {"containers": [{"name": "app", "image": "bgdeploy/sample-app",
                   "command": ["java", "-Xmx48m", "-XX:TieredStopAtLevel=1", "%s"],
                   "ports": [{"name": "http", "containerPort": 8080}]}]}}
                """.formatted(APP, HOST, app));
        ObjectNode container = (ObjectNode) d.at("/podspec/containers/0");
        var envArray = container.putArray("env");
        env.forEach((k, v) -> envArray.addObject().put("name", k).put("value", v));
        return EventCodec.mapper().treeToValue(d, Descriptor.class);
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return r.body();
    }

    static JsonNode json(String text) {
        try {
            return EventCodec.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
