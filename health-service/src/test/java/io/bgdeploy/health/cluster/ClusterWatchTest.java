package io.bgdeploy.health.cluster;

import io.bgdeploy.events.EventData;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.health.model.DashboardSnapshot;
import io.bgdeploy.events.health.AppHealthReport.PodHealth;
import io.bgdeploy.health.Dashboards;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.RestartTracker;
import io.bgdeploy.health.alerts.RestartAlerts;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not a @QuarkusTest: the watch is given a client of fabric8's Kubernetes mock server in CRUD
 * mode, where nodes and pods are created and updated as a kubelet would.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterWatchTest {

    static KubernetesClient client;

    private final List<EventData> published = new CopyOnWriteArrayList<>();
    private DashboardState dashboard;
    private ClusterWatch watch;

    @BeforeEach
    void startWatch() {
        dashboard = Dashboards.state(Clock.systemUTC());
        RestartAlerts alerts = new RestartAlerts(new RestartTracker(2, Duration.ofHours(1)), dashboard, published::add,
                new SimpleMeterRegistry(), Clock.systemUTC());
        watch = new ClusterWatch(client, null, new ClusterWatch.Labels("app", "version", "bgdeploy.io/deployment-id"), dashboard,
                alerts, Clock.systemUTC());
    }

    @AfterEach
    void stopWatch() {
        watch.close();
    }

    private static Node node(String name, String ready, String pressure) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus()
                .addNewCondition().withType("Ready").withStatus(ready).withReason("KubeletReady").endCondition()
                .addNewCondition().withType("MemoryPressure").withStatus(pressure).withReason("KubeletHasSufficientMemory").endCondition()
                .withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"), "pods", new Quantity("110")))
                .endStatus().build();
    }

    private static Pod pod(int restarts, String lastReason) {
        var status = new ContainerStatusBuilder().withName("app").withReady(lastReason == null).withRestartCount(restarts);
        if (lastReason != null) {
            status.withNewLastState().withNewTerminated().withReason(lastReason).withExitCode(137).endTerminated().endLastState();
        }
        return new PodBuilder().withNewMetadata().withName("cart-2-abc").withNamespace("shop")
                .withLabels(Map.of("app", "cart", "version", "2", "bgdeploy.io/deployment-id", "dep-9")).endMetadata()
                .withNewSpec().withNodeName("node-a").endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.2.3").withContainerStatuses(status.build()).endStatus()
                .build();
    }

    private PodHealth cartPod() {
        return dashboard.report("shop/cart", "test", Optional.empty()).versions().stream()
                .flatMap(v -> v.pods().stream()).findFirst().orElse(null);
    }

    @Test
    void nodesAndPodsShowOnTheDashboardAndAnOomLoopRaisesOneAlert() {
        client.nodes().resource(node("node-a", "True", "False")).create();
        client.pods().inNamespace("shop").resource(pod(5, null)).create();
        watch.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> cartPod() != null && !dashboard.nodes().isEmpty());
        DashboardSnapshot.NodeView node = dashboard.nodes().get(0);
        assertThat(node.ready()).isTrue();
        assertThat(node.capacity()).containsEntry("cpu", "4").containsEntry("memory", "16Gi");
        assertThat(cartPod().restarts()).isEqualTo(5);
        assertThat(cartPod().phase()).isEqualTo("Running");
        assertThat(cartPod().deploymentId()).isEqualTo("dep-9");
        assertThat(published).as("restarts from before the watch are history").isEmpty();

        client.pods().inNamespace("shop").resource(pod(8, "OOMKilled")).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> cartPod().restarts() == 8);
        client.pods().inNamespace("shop").resource(pod(9, "OOMKilled")).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> cartPod().restarts() == 9);

        assertThat(published).hasSize(1);
        RestartAlertRaised alert = (RestartAlertRaised) published.get(0);
        assertThat(alert.restartsInWindow()).isEqualTo(3);
        assertThat(alert.lastReason()).isEqualTo("app: OOMKilled (exit 137)");
        assertThat(cartPod().lastTerminationReason()).isEqualTo("app: OOMKilled (exit 137)");
        assertThat(dashboard.report("shop/cart", "test", Optional.empty()).restartAlerts()).singleElement()
                .satisfies(a -> assertThat(a.pod()).isEqualTo("cart-2-abc"));

        client.nodes().resource(node("node-a", "False", "True")).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> !dashboard.nodes().get(0).ready());
        client.pods().inNamespace("shop").withName("cart-2-abc").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> cartPod() == null);
    }
}
