package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.DeployerProcesses;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.testing.SharedInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged deployer killed with SIGKILL while deployments of six apps are in six phases, then
 * started again: one draining waits the rest of its drain, then finishes (blue removed, green
 * serves) and the deployment queued behind it runs; one waiting for health, one switching and one
 * rolling back end rolled back with blue serving (its pod survived the deployer and is adopted); an
 * undeploy is finished. Never are both versions gone.
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
        ServerSpec server = suite.lb.backends.get(suite.lb.frontends.get(HostName.of(hostname))).backend().servers()
                .get(0);
        return HttpClients.http11(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create("http://" + server.address() + ":"
                + server.port() + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String app(String id) {
        return DeployerProcesses.api(port).get("/deployments/" + id + "/?namespace=default").jsonPath().getString("appName");
    }

    @Test
    void killNineInEveryLongPhaseThenRestart() throws Exception {
        deployers = new DeployerProcesses(Path.of("target", "restart-it-" + UUID.randomUUID()), "restart-it");
        suite = KafkaSuiteDoubles.start(SharedInfra.kafka().bootstrapServers());
        String[] settings = {"deployer.drain-delay=150s", "deployer.health-deadline=90s", "deployer.lb-timeout=90s",
            "deployer.instance.lock-ttl=3s", "deployer.instance.takeover-interval=1s"};
        Process first = deployers.start("first", port, settings);

        List<String> apps = List.of("drainer", "stuck", "switcher", "rollbacker", "undeployer");
        Map<String, String> blue = new HashMap<>();
        apps.forEach(app -> blue.put(app, deploy(descriptor(app, "/health"))));
        await().atMost(Duration.ofSeconds(90)).until(() -> blue.values().stream()
                .allMatch(id -> "DEPLOYED".equals(field(id, "status"))));

        String drainGreen = deploy(descriptor("drainer", "/health"));
        String stuckGreen = deploy(descriptor("stuck", "/missing"));
        suite.holdLoadBalancer("default/switcher");
        String switchGreen = deploy(descriptor("switcher", "/health"));
        String rollbackGreen = deploy(descriptor("rollbacker", "/health"));
        await().atMost(Duration.ofSeconds(90)).until(() -> "DRAINING".equals(field(drainGreen, "phase"))
                && "WAITING_FOR_HEALTH".equals(field(stuckGreen, "phase"))
                && "SWITCHING".equals(field(switchGreen, "phase"))
                && "DRAINING".equals(field(rollbackGreen, "phase")));
        String queued = deploy(descriptor("drainer", "/health"));
        suite.holdLoadBalancer("default/rollbacker");
        DeployerProcesses.api(port).post("/deployments/" + rollbackGreen + "/rollback?namespace=default").then().statusCode(202);
        suite.holdLoadBalancer("default/undeployer");
        DeployerProcesses.api(port).delete("/deployments/" + blue.get("undeployer") + "/?namespace=default")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "ROLLING_BACK".equals(field(rollbackGreen, "phase"))
                && "UNDEPLOYING".equals(field(blue.get("undeployer"), "status"))
                && !suite.heldCommands("default/undeployer").isEmpty());
        assertThat(field(queued, "phase")).isEqualTo("PREPARING");
        assertThat(servedBy("drainer.example.com")).contains("drainer version 2");

        Instant drainUntil = Instant.parse(field(drainGreen, "drainUntil"));
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // the drain is long enough that the kill lands in it even when the steps above are slow; if not, say so
        assertThat(Instant.now()).as("the deployer was killed while draining").isBefore(drainUntil);
        assertThat(servedBy("stuck.example.com")).as("blue serves while the deployer is down").contains("stuck version 1");
        List<ProcessHandle> undeployedPods = deployers.livePods("undeployer-1");
        assertThat(undeployedPods).isNotEmpty();

        // the continued wait for health starts anew: shorter, so that the stuck one fails within the test
        deployers.start("second", port, Arrays.stream(settings)
                .map(s -> s.startsWith("deployer.health-deadline=") ? "deployer.health-deadline=30s" : s)
                .toArray(String[]::new));
        List.of("switcher", "rollbacker", "undeployer").forEach(app -> suite.releaseLoadBalancer("default/" + app));

        // draining: the rest of the drain is waited, then it finishes and the deployment queued behind it runs;
        // the wait is bounded by the stored end of the drain (the second deployer is ready by now), not by a guess
        Duration drainLeft = Duration.between(Instant.now(), drainUntil);
        await().atMost((drainLeft.isNegative() ? Duration.ZERO : drainLeft).plus(Duration.ofSeconds(90)))
                .until(() -> "DEPLOYED".equals(field(drainGreen, "status")));
        assertThat(field(blue.get("drainer"), "status")).isEqualTo("UNDEPLOYED");
        assertThat(Instant.parse(field(blue.get("drainer"), "lastModified"))).as("blue removed at the stored end of the drain")
                .isAfterOrEqualTo(drainUntil);
        await().atMost(Duration.ofSeconds(90)).until(() -> "DRAINING".equals(field(queued, "phase")));
        assertThat(suite.lb.frontends).containsEntry(HostName.of("drainer.example.com"), "default-drainer-3");
        assertThat(servedBy("drainer.example.com")).contains("drainer version 3");

        // switching: continued (its commands sent again under new ids), green serves
        await().atMost(Duration.ofSeconds(90)).until(() -> "DRAINING".equals(field(switchGreen, "phase"))
                || "DEPLOYED".equals(field(switchGreen, "status")));
        assertThat(suite.lb.frontends).containsEntry(HostName.of("switcher.example.com"), "default-switcher-2");
        assertThat(servedBy("switcher.example.com")).contains("switcher version 2");

        // waiting for health: continued, and the health check that never passes fails it; rolling back: finished
        for (String green : List.of(stuckGreen, rollbackGreen)) {
            String app = app(green);
            await().atMost(Duration.ofSeconds(90)).until(() -> "FAILURE".equals(field(green, "status")));
            assertThat(field(blue.get(app), "status")).isEqualTo("DEPLOYED");
            assertThat(suite.lb.frontends).containsEntry(HostName.of(app + ".example.com"), "default-" + app + "-1");
            assertThat(suite.lb.backends).doesNotContainKey("default-" + app + "-2");
            assertThat(servedBy(app + ".example.com")).contains(app + " version 1");
            await().alias("green pods of " + app + " stop in the background").atMost(Duration.ofSeconds(30))
                    .until(() -> deployers.livePods(app + "-2").isEmpty());
        }
        assertThat(field(stuckGreen, "reason")).contains("health check failed");
        assertThat(field(rollbackGreen, "reason")).contains("the deployer stopped during ROLLING_BACK");
        assertThat(DeployerProcesses.api(port).get("/deployments/" + stuckGreen + "/logs?namespace=default").asString())
                .contains("left unfinished in phase WAITING_FOR_HEALTH");

        // undeploying: finished
        await().atMost(Duration.ofSeconds(60)).until(() -> "UNDEPLOYED".equals(field(blue.get("undeployer"), "status")));
        assertThat(suite.lb.frontends).doesNotContainKey(HostName.of("undeployer.example.com"));
        assertThat(suite.lb.backends).doesNotContainKey("default-undeployer-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> undeployedPods.stream().noneMatch(ProcessHandle::isAlive));
    }
}
