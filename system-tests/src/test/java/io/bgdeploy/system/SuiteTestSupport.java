package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.testing.DeployRequests;
import io.bgdeploy.infra.testing.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

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
 * The whole suite started once per test class, on free ports, with the helpers the end-to-end
 * tests share: deploy requests as CI publishes them, the sample app's descriptor, HTTP and JSON.
 */
abstract class SuiteTestSupport {

    static final String HOST = "e2e.localhost";
    static final String APP = "e2e";
    static Suite suite;
    static final HttpClient HTTP = HttpClients.http11(Duration.ofSeconds(5));

    @BeforeAll
    static void startSuite(TestInfo test) throws IOException {
        Path root = Path.of(System.getProperty("bgdeploy.root", "..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory(root.resolve("system-tests/target"), "suite-");
        suite = Suite.start(Suite.Options.freePorts(root, work), System.out, Map.of(Suite.DEPLOYER, deployerSettings(test)));
    }

    /** The suite's deployer settings for tests, with those of the class's {@link DeployerSettings} on top. */
    static Map<String, String> deployerSettings(TestInfo test) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("deployer.drain-delay", "2s",
                "deployer.health-deadline", "30s", "deployer.health-check.period-millis", "300"));
        test.getTestClass().map(c -> c.getAnnotation(DeployerSettings.class)).ifPresent(extra -> {
            for (String setting : extra.value()) {
                settings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        });
        return settings;
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    /** Versions of the app that have pods, as the health dashboard shows them. */
    static List<String> versionsOnDashboard() throws Exception {
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

    /**
     * Publishes a deploy request as CI would, signed with the suite's key; returns the id of the
     * deployment it was accepted as.
     */
    static String request(KafkaTestClient.TopicReader events, Descriptor descriptor) {
        String requestId = UUID.randomUUID().toString();
        DeployRequests.publish(suite.kafkaBootstrap(), new DeployRequested(requestId, "e2e-test", descriptor), suite.signingKey());
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
                .resolve("local-platform/sample-app/SampleApp.java");
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

    /** A GET with the suite's API token: the deployer's reads need it as its changes do. */
    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + suite.token()).build(),
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
