package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.DeployerProcesses;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.SharedInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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

    private final int port = FreePorts.next();
    private DeployerProcesses deployers;
    private KafkaSuiteDoubles suite;

    @AfterEach
    void stop() throws Exception {
        deployers.close();
    }

    private static String descriptor(String app, String healthPath) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "#", "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "%s",
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, app, healthPath);
    }

    private String deploy(String descriptorJson) {
        return DeployerProcesses.deploy(port, descriptorJson);
    }

    private String field(String id, String field) {
        return DeployerProcesses.field(port, id, field);
    }

    private String servedBy(String hostname) throws Exception {
        ServerSpec server = suite.lb.backends.get(suite.lb.frontends.get(hostname)).backend().servers().get(0);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + server.address() + ":"
                + server.port() + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void killNineWhileDrainingAndWhileWaitingForHealthThenRestart() throws Exception {
        deployers = new DeployerProcesses(Path.of("target", "restart-it-" + UUID.randomUUID()), "restart-it");
        suite = KafkaSuiteDoubles.start(SharedInfra.kafka().bootstrapServers());
        String[] settings = {"deployer.drain-delay=40s", "deployer.health-deadline=90s", "deployer.instance.lock-ttl=3s",
            "deployer.instance.takeover-interval=1s"};
        Process first = deployers.start("first", port, settings);

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

        deployers.start("second", port, settings);

        await().atMost(Duration.ofSeconds(90)).until(() -> "DEPLOYED".equals(field(drainGreen, "status")));
        assertThat(field(drainBlue, "status")).isEqualTo("UNDEPLOYED");
        assertThat(suite.lb.frontends).containsEntry("drainer.example.com", "default-drainer-2");
        assertThat(suite.lb.backends).doesNotContainKey("default-drainer-1");
        assertThat(servedBy("drainer.example.com")).contains("drainer version 2");

        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILURE".equals(field(stuckGreen, "status")));
        assertThat(field(stuckGreen, "reason")).contains("the deployer stopped during WAITING_FOR_HEALTH");
        assertThat(suite.lb.frontends).containsEntry("stuck.example.com", "default-stuck-1");
        assertThat(suite.lb.backends).doesNotContainKey("default-stuck-2");
        assertThat(servedBy("stuck.example.com")).contains("stuck version 1");
        assertThat(DeployerProcesses.api(port).get("/deployments/" + stuckGreen + "/logs?namespace=default").asString())
                .contains("left unfinished in phase WAITING_FOR_HEALTH");
    }
}
