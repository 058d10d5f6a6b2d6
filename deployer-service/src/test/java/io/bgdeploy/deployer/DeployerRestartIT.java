package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.SharedInfra;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged deployer killed with SIGKILL while one deployment drains and another waits for
 * health, then started again: the draining one finishes (blue removed, green serves), the waiting
 * one is rolled back (green removed, blue still serves: its pod survived the deployer and is
 * adopted). Never are both versions gone.
 */
class DeployerRestartIT {

    private final List<Process> deployers = new ArrayList<>();
    private final int port = FreePorts.next();
    private final Path stateDir = Path.of("target", "restart-it-" + UUID.randomUUID()).toAbsolutePath();
    private KafkaSuiteDoubles suite;

    private Process startDeployer(String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of("target", "restart-it-" + name + ".log");
        Process p = new ProcessBuilder(java, "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + SharedInfra.kafka().bootstrapServers(),
                "-Dbgdeploy.etcd.endpoints=" + SharedInfra.etcd().endpoint(),
                "-Ddeployer.platform=local",
                "-Ddeployer.local.state-dir=" + stateDir,
                "-Ddeployer.local.stop-pods-on-shutdown=true",
                "-Ddeployer.drain-delay=40s",
                "-Ddeployer.health-deadline=90s",
                "-Ddeployer.health-check.period-millis=200",
                "-Ddeployer.auth.anonymous-namespaces=default",
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        deployers.add(p);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                api().get("/q/health/ready").statusCode() == 200);
        return p;
    }

    private RequestSpecification api() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port);
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : deployers) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        stopPodsLeftIn(stateDir.resolve("pods"));
    }

    /** Pods the deployer could not stop in time (a slow shutdown) are stopped by their recorded pid. */
    private static void stopPodsLeftIn(Path pods) throws IOException {
        if (!Files.isDirectory(pods)) {
            return;
        }
        try (var files = Files.list(pods)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                var state = io.bgdeploy.events.EventCodec.mapper().readTree(file.toFile());
                long started = state.path("startedMillis").asLong();
                ProcessHandle.of(state.path("pid").asLong(-1))
                        .filter(h -> h.info().startInstant().map(t -> t.toEpochMilli() == started).orElse(false))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static String descriptor(String app, String healthPath) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "#", "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "%s",
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, app, healthPath);
    }

    private String deploy(String descriptorJson) {
        String location = api().body(descriptorJson).post("/descriptors/?namespace=default")
                .then().statusCode(201).extract().header("Location");
        String descriptorId = location.substring("/descriptors/".length(), location.indexOf("/?"));
        location = api().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
        return location.substring("/deployments/".length(), location.indexOf("/?"));
    }

    private String field(String id, String field) {
        return api().get("/deployments/" + id + "/?namespace=default").jsonPath().getString(field);
    }

    private String servedBy(String hostname) throws Exception {
        ServerSpec server = suite.lb.backends.get(suite.lb.frontends.get(hostname)).backend().servers().get(0);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + server.address() + ":"
                + server.port() + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void killNineWhileDrainingAndWhileWaitingForHealthThenRestart() throws Exception {
        Files.createDirectories(stateDir);
        suite = KafkaSuiteDoubles.start(SharedInfra.kafka().bootstrapServers());
        Process first = startDeployer("first");

        String drainBlue = deploy(descriptor("drainer", "/health"));
        String stuckBlue = deploy(descriptor("stuck", "/health"));
        await().atMost(Duration.ofSeconds(90)).until(() -> "DEPLOYED".equals(field(drainBlue, "status"))
                && "DEPLOYED".equals(field(stuckBlue, "status")));
        String drainGreen = deploy(descriptor("drainer", "/health"));
        String stuckGreen = deploy(descriptor("stuck", "/missing"));
        await().atMost(Duration.ofSeconds(90)).until(() -> "DRAINING".equals(field(drainGreen, "phase"))
                && "WAITING_FOR_HEALTH".equals(field(stuckGreen, "phase")));
        assertThat(servedBy("drainer.example.com")).contains("drainer version 2");

        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(servedBy("stuck.example.com")).as("blue serves while the deployer is down").contains("stuck version 1");

        startDeployer("second");

        await().atMost(Duration.ofSeconds(90)).until(() -> "DEPLOYED".equals(field(drainGreen, "status")));
        assertThat(field(drainBlue, "status")).isEqualTo("UNDEPLOYED");
        assertThat(suite.lb.frontends).containsEntry("drainer.example.com", "default-drainer-2");
        assertThat(suite.lb.backends).doesNotContainKey("default-drainer-1");
        assertThat(servedBy("drainer.example.com")).contains("drainer version 2");

        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILURE".equals(field(stuckGreen, "status")));
        assertThat(field(stuckGreen, "reason")).contains("restarted");
        assertThat(suite.lb.frontends).containsEntry("stuck.example.com", "default-stuck-1");
        assertThat(suite.lb.backends).doesNotContainKey("default-stuck-2");
        assertThat(servedBy("stuck.example.com")).contains("stuck version 1");
        assertThat(api().get("/deployments/" + stuckGreen + "/logs?namespace=default").asString())
                .contains("the deployer restarted while this deployment was in phase WAITING_FOR_HEALTH");
    }
}
