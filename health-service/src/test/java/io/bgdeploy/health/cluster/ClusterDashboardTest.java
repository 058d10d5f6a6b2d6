package io.bgdeploy.health.cluster;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/**
 * The service with {@code health.cluster.enabled=true} against Quarkus' Kubernetes test server
 * (fabric8 mock, CRUD mode): nodes and pods show on the dashboard, an OOMKilled loop is published
 * as one restart alert.
 */
@QuarkusTest
@TestProfile(ClusterDashboardTest.ClusterEnabled.class)
@WithKubernetesTestServer(crud = true, setup = ClusterDashboardTest.Cluster.class)
@QuarkusTestResource(KafkaResource.class)
class ClusterDashboardTest {

    @KubernetesTestServer
    KubernetesServer kubernetes;

    public static class ClusterEnabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("health.cluster.enabled", "true");
        }
    }

    /** What the cluster looks like when the service starts. */
    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            server.getClient().nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-1").endMetadata()
                    .withNewStatus()
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewCondition().withType("DiskPressure").withStatus("False").endCondition()
                    .withCapacity(Map.of("cpu", new Quantity("8"), "memory", new Quantity("32Gi")))
                    .endStatus().build()).create();
            server.getClient().pods().inNamespace("shop").resource(pod(0, null)).create();
        }
    }

    static Pod pod(int restarts, String lastReason) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("basket-4-q7").withNamespace("shop")
                .withLabels(Map.of("app", "basket", "version", "4")).endMetadata()
                .withNewSpec().withNodeName("worker-1").endSpec();
        var status = pod.withNewStatus().withPhase("Running").withPodIP("10.0.0.7")
                .addNewContainerStatus().withName("basket").withReady(true).withRestartCount(restarts);
        if (lastReason != null) {
            status = status.withNewLastState().withNewTerminated().withReason(lastReason).withExitCode(137)
                    .endTerminated().endLastState();
        }
        return status.endContainerStatus().endStatus().build();
    }

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    @Test
    void nodesPodsAndRestartAlertsFromTheCluster() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/dashboard").then()
                .body("nodes.name", hasItem("worker-1"))
                .body("nodes.find { it.name == 'worker-1' }.ready", equalTo(true))
                .body("nodes.find { it.name == 'worker-1' }.capacity.memory", equalTo("32Gi"))
                .body("apps.app", hasItem("basket")));
        given().get("/api/dashboard/apps/shop/basket").then().body("versions[0].pods[0].phase", equalTo("Running"));

        try (var health = KafkaTestClient.reader(PodEvents.bootstrap(), Topics.POD_HEALTH)) {
            kubernetes.getClient().pods().inNamespace("shop").resource(pod(4, "OOMKilled")).update();
            var record = health.await(r -> r.value().contains("basket-4-q7") && r.value().contains("restart-alert"),
                    Duration.ofSeconds(30));
            RestartAlertRaised alert;
            try {
                alert = EventCodec.decode(record.value(), RestartAlertRaised.class).data();
            } catch (MalformedEventException e) {
                throw new AssertionError(e);
            }
            assertThat(record.key()).isEqualTo("shop/basket");
            assertThat(alert.restartsInWindow()).isEqualTo(4);
            assertThat(alert.lastReason()).isEqualTo("basket: OOMKilled (exit 137)");
        }
        given().get("/api/dashboard").then()
                .body("alerts.pod", hasItem("basket-4-q7"))
                .body("apps.find { it.app == 'basket' }.restartsInWindow", equalTo(4));
        given().get("/api/dashboard/apps/shop/basket").then()
                .body("versions[0].pods[0].restarts", equalTo(4))
                .body("versions[0].pods[0].restartMarks", hasSize(4));
    }
}
