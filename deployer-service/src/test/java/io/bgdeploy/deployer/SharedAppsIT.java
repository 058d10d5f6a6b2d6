package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.DeployEvents;
import io.bgdeploy.deployer.testing.DeployerProcesses;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.deployer.testing.TestSigningKeys;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.DeployRequests;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two packaged deployer instances sharing etcd, Kafka (one consumer group) and the local pod
 * state. The instance that runs a deployment is killed with SIGKILL while it drains: the other
 * finishes it (blue removed), then runs the deployment of the same app that was queued behind
 * it; every deployment is accepted and finished exactly once.
 */
class SharedAppsIT {

    private final Map<String, Integer> ports = Map.of("a", FreePorts.next(), "b", FreePorts.next());
    private DeployerProcesses deployers;

    @AfterEach
    void stop() throws Exception {
        deployers.close();
    }

    private static String descriptor(String app) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "#", "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "/health",
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, app);
    }

    private static void request(String requestId, String app) throws Exception {
        Descriptor d = EventCodec.read(descriptor(app).getBytes(), Descriptor.class);
        DeployRequests.publish(SharedInfra.kafka().bootstrapServers(), new DeployRequested(requestId, "ci-job", d),
                TestSigningKeys.of(d.namespace()));
    }


    @Test
    void killingTheInstanceThatRunsAnAppHandsTheAppToTheOther() throws Exception {
        deployers = new DeployerProcesses(Path.of("target", "shared-it-" + UUID.randomUUID()), "shared-it");
        KafkaSuiteDoubles.start(SharedInfra.kafka().bootstrapServers());
        String app = "handed-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Process> instances = new java.util.HashMap<>();
        for (String name : List.of("a", "b")) {
            instances.put(name, deployers.start(name, ports.get(name), "deployer.instance.name=" + name,
                    "deployer.drain-delay=40s", "deployer.health-deadline=60s", "deployer.instance.lock-ttl=3s",
                    "deployer.instance.takeover-interval=1s"));
        }
        int portA = ports.get("a");
        try (var events = KafkaTestClient.reader(SharedInfra.kafka().bootstrapServers(), Topics.DEPLOY_EVENTS)) {
            String blue = DeployerProcesses.deploy(portA, descriptor(app));
            await().atMost(Duration.ofSeconds(60)).until(() -> "DEPLOYED".equals(DeployerProcesses.field(portA, blue, "status")));
            String green = DeployerProcesses.deploy(portA, descriptor(app));
            await().atMost(Duration.ofSeconds(60)).until(() -> "DRAINING".equals(DeployerProcesses.field(portA, green, "phase")));
            String runner = runner(portA, green);
            String other = runner.equals("a") ? "b" : "a";
            int survivor = ports.get(other);
            List<ProcessHandle> bluePods = deployers.livePods(app + "-1");
            assertThat(bluePods).isNotEmpty();

            // queued behind the draining deployment, sent twice through Kafka (either instance may read it)
            request("ci-run-77", app);
            request("ci-run-77", app);
            String queued = DeployEvents.acceptedAs(events, "ci-run-77", Duration.ofSeconds(30));
            assertThat(DeployerProcesses.field(survivor, queued, "phase")).isEqualTo("PREPARING");

            instances.get(runner).destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> "DEPLOYED".equals(DeployerProcesses.field(survivor, green, "status")));
            assertThat(DeployerProcesses.field(survivor, blue, "status")).isEqualTo("UNDEPLOYED");
            assertThat(DeployerProcesses.api(survivor).get("/deployments/" + green + "/logs?namespace=default").asString())
                    .contains("deployer instance " + other + " continues this deployment");
            await().atMost(Duration.ofSeconds(30)).until(() -> bluePods.stream().noneMatch(ProcessHandle::isAlive));

            await().atMost(Duration.ofSeconds(60)).until(() -> "DRAINING".equals(DeployerProcesses.field(survivor, queued, "phase")));
            assertThat(runner(survivor, queued)).isEqualTo(other);
            assertThat(DeployerProcesses.field(survivor, queued, "version")).isEqualTo("3");

            List<String> answers = events.records().stream().map(DeployEvents::data)
                    .filter(DeploymentAccepted.class::isInstance).map(DeploymentAccepted.class::cast)
                    .filter(a -> "ci-run-77".equals(a.requestId())).map(DeploymentAccepted::deploymentId).toList();
            assertThat(answers).as("the repeated request is answered with the same deployment").containsOnly(queued);
            assertThat(DeployerProcesses.api(survivor).get("/deployments/?namespace=default&appname=" + app)
                    .jsonPath().getList("id")).as("deployments of " + app).containsExactlyInAnyOrder(blue, green, queued);
            List<String> finished = events.records().stream().map(DeployEvents::data)
                    .filter(DeploymentFinished.class::isInstance).map(DeploymentFinished.class::cast)
                    .map(DeploymentFinished::deploymentId).filter(id -> id.equals(blue) || id.equals(green)).toList();
            assertThat(finished).containsExactlyInAnyOrder(blue, green);
        }
    }

    /** The instance that runs a deployment, from its log. */
    private static String runner(int port, String id) {
        String logs = DeployerProcesses.api(port).get("/deployments/" + id + "/logs?namespace=default").asString();
        int at = logs.lastIndexOf("run by deployer instance ");
        assertThat(at).as("log of " + id + " names the instance that runs it: " + logs).isNotNegative();
        return logs.substring(at + "run by deployer instance ".length()).substring(0, 1);
    }
}
