package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.DeployerProcesses;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.SharedInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged deployer with a Kafka broker (and etcd) of this test's own, stopped while the deployer works:
 * the deployment events it cannot send are retried by the producer and then fail the deployment
 * where its next phase would begin, so a deployment requested meanwhile ends in FAILURE with
 * nothing of it left running and says why, while the version that served keeps serving. Once the
 * broker is back, deployments work again.
 */
class KafkaOutageIT {

    private static final String[] SHORT_SENDS = {
        "mp.messaging.outgoing.deploy-events.delivery.timeout.ms=8000",
        "mp.messaging.outgoing.deploy-events.request.timeout.ms=3000",
        "mp.messaging.outgoing.deploy-events.max.block.ms=3000",
        "mp.messaging.outgoing.lb-commands.delivery.timeout.ms=8000",
        "mp.messaging.outgoing.lb-commands.request.timeout.ms=3000",
        "mp.messaging.outgoing.lb-commands.max.block.ms=3000",
        "deployer.event-send-timeout=15s"};

    private final int port = FreePorts.next();
    private KafkaBroker broker;
    private EtcdServer etcd;
    private KafkaSuiteDoubles suite;
    private DeployerProcesses deployers;

    @AfterEach
    void stop() throws Exception {
        if (deployers != null) {
            deployers.close();
        }
        if (suite != null) {
            suite.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static String descriptor(String app) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "#", "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "/health",
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, app);
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

    @Test
    void aDeploymentWhoseEventsTheBrokerCannotTakeFailsWithoutTouchingTheServingVersion() throws Exception {
        // a broker and etcd of its own: deployments other tests left unfinished must not be taken over here
        broker = KafkaBroker.start(SharedInfra.workDir("kafka-outage"));
        etcd = EtcdServer.start(SharedInfra.workDir("etcd-outage"));
        List<String> topics = new ArrayList<>(Topics.ALL);
        Topics.ALL.forEach(t -> topics.add(t + Topics.DLQ_SUFFIX));
        broker.createTopics(topics, 2);
        suite = KafkaSuiteDoubles.forBroker(broker.bootstrapServers());
        deployers = new DeployerProcesses(Path.of("target", "kafka-outage-it-" + UUID.randomUUID()), "kafka-outage-it");
        List<String> settings = new ArrayList<>(List.of("kafka.bootstrap.servers=" + broker.bootstrapServers(),
                "bgdeploy.etcd.endpoints=" + etcd.endpoint(), "deployer.drain-delay=0s"));
        settings.addAll(List.of(SHORT_SENDS));
        deployers.start("deployer", port, settings.toArray(String[]::new));
        String app = "outage-" + UUID.randomUUID().toString().substring(0, 6);

        String v1 = DeployerProcesses.deploy(port, descriptor(app));
        await().atMost(Duration.ofMinutes(2)).until(() -> "DEPLOYED".equals(field(v1, "status")));

        broker.process().stop();
        String v2 = DeployerProcesses.deploy(port, descriptor(app));

        await().atMost(Duration.ofMinutes(2)).until(() -> "FAILURE".equals(field(v2, "status")));
        assertThat(field(v2, "reason")).contains("Kafka did not").contains(Topics.DEPLOY_EVENTS);
        String log = DeployerProcesses.api(port).get("/deployments/" + v2 + "/logs?namespace=default").asString();
        // CREATING_GREEN's event goes out while its step runs; the deployment stops where the next phase
        // would begin, and the rollback deletes what the step created
        assertThat(log).contains("the event of phase CREATING_GREEN was not published")
                .doesNotContain("phase WAITING_FOR_HEALTH").contains("phase ROLLING_BACK");
        assertThat(deployers.livePods(app + "-2")).isEmpty();
        assertThat(field(v1, "status")).isEqualTo("DEPLOYED");
        assertThat(servedBy(app + ".example.com")).contains(app + " version 1");

        broker.process().restart();
        await().atMost(Duration.ofMinutes(3)).until(broker::isServing);
        String v3 = DeployerProcesses.deploy(port, descriptor(app));
        await().atMost(Duration.ofMinutes(2)).until(() -> "DEPLOYED".equals(field(v3, "status")));
        assertThat(field(v3, "version")).isEqualTo("2");
        assertThat(servedBy(app + ".example.com")).contains(app + " version 2");
    }
}
