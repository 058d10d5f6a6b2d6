package io.bgdeploy.logshipper.collector.kubernetes;

import io.bgdeploy.events.PodLabels;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.collector.Collector;
import io.bgdeploy.logshipper.collector.Positions;
import io.bgdeploy.logshipper.model.PodDirectory.PodIdentity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not a @QuarkusTest: the informer gets a client of fabric8's Kubernetes mock server in CRUD mode,
 * where pods are created as the deployer creates them, with its labels.
 * <p>
 * The mock server does not implement the {@code spec.nodeName} field selector (it would match
 * no pod at all), so its dispatcher is wrapped: every request is recorded as sent, with the
 * selector, and then served without it. Keeping other nodes' pods out is the API server's job; the
 * test checks that the informer asks for this node's pods only.
 */
class NodePodsTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeAll
    static void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new WithoutNodeSelector(new KubernetesCrudDispatcher()), false);
        server.init();
        client = server.createClient();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.destroy();
    }

    /** Serves a request as if its {@code spec.nodeName} field selector were not there. */
    private static final class WithoutNodeSelector extends Dispatcher {
        private final Dispatcher crud;

        WithoutNodeSelector(Dispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath().replaceAll("fieldSelector=spec\\.nodeName%3D[^&]*&?", "").replaceAll("[?&]$", "");
            return crud.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), path, request.getHeaders(),
                    request.getBody()));
        }
    }

    @TempDir
    Path dir;

    private static Pod pod(String namespace, String name, String node, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("shop:3").endContainer().endSpec()
                .build();
    }

    private static Map<String, String> deployedBy(String app, String version, String deploymentId) {
        return Map.of(PodLabels.APP, app, PodLabels.VERSION, version, PodLabels.DEPLOYMENT_ID, deploymentId,
                PodLabels.MANAGED_BY, PodLabels.MANAGED_BY_DEPLOYER);
    }

    @Test
    void theIdentityOfANodesPodComesFromTheDeployersLabelsAndOnlyThatNodesPodsAreAskedFor() throws Exception {
        client.pods().inNamespace("shop").resource(pod("shop", "cart-3-7f9c", "node-a", deployedBy("cart", "3", "d-9"))).create();
        client.pods().inNamespace("ops").resource(pod("ops", "tool-1", "node-a", Map.of("team", "ops"))).create();
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // the test's own requests
        }
        try (NodePods pods = NodePods.watch(client, "node-a")) {
            await().atMost(Duration.ofSeconds(30)).until(pods::synced);
            assertThat(pods.identity("shop", "cart-3-7f9c")).contains(new PodIdentity("cart", "3", "d-9"));
            assertThat(pods.identity("ops", "tool-1")).contains(new PodIdentity(null, null, null));
            assertThat(pods.identity("shop", "gone-1")).isEmpty();

            client.pods().inNamespace("shop").resource(pod("shop", "cart-4-aa11", "node-a", deployedBy("cart", "4", "d-10"))).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> pods.identity("shop", "cart-4-aa11").isPresent());
            assertThat(pods.identity("shop", "cart-4-aa11")).contains(new PodIdentity("cart", "4", "d-10"));
        }
        List<String> podRequests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (request.getPath().startsWith("/api/v1/pods")) {
                podRequests.add(request.getPath());
            }
        }
        assertThat(podRequests).as("the informer's list and watch requests").isNotEmpty()
                .allSatisfy(path -> assertThat(path).contains("fieldSelector=spec.nodeName%3Dnode-a"));
    }

    @Test
    void theCollectorAddsAppVersionAndDeploymentToEveryLineEvenOfAPodItSeesBeforeTheApiDoes() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("containers"));
        client.pods().inNamespace("shop").resource(pod("shop", "web-2-bb22", "node-a", deployedBy("web", "2", "d-7"))).create();
        List<ContainerLogRecord> received = new CopyOnWriteArrayList<>();
        try (NodePods pods = NodePods.watch(client, "node-a");
             Collector collector = new Collector(logs, new Positions(dir.resolve("positions.json")), received::addAll, pods,
                     new Collector.Settings("node-a", 1024 * 1024, Duration.ofSeconds(30)))) {
            await().atMost(Duration.ofSeconds(30)).until(pods::synced);
            write(logs.resolve("web-2-bb22_shop_app-0123456789abcdef.log"), "first line of web");
            write(logs.resolve("api-5-cc33_shop_app-0123456789abcdef.log"), "first line of api");
            collector.pollOnce();
            assertThat(received).extracting(ContainerLogRecord::line).containsExactly("first line of web");

            client.pods().inNamespace("shop").resource(pod("shop", "api-5-cc33", "node-a", deployedBy("api", "5", "d-8"))).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                collector.pollOnce();
                return received.size() == 2;
            });
        }
        assertThat(received).extracting(ContainerLogRecord::line, ContainerLogRecord::app, ContainerLogRecord::version,
                        ContainerLogRecord::deploymentId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("first line of web", "web", "2", "d-7"),
                        org.assertj.core.groups.Tuple.tuple("first line of api", "api", "5", "d-8"));
    }

    private static void write(Path file, String line) throws IOException {
        Files.writeString(file, "2026-11-24T10:15:30.123456789Z stdout F " + line + "\n", StandardCharsets.UTF_8);
    }
}
