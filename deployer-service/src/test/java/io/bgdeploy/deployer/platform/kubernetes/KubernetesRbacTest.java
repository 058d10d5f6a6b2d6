package io.bgdeploy.deployer.platform.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deployer's RBAC (deploy/kubernetes/base/deployer-service.yaml) against the calls the
 * Kubernetes platform makes: every operation of the platform runs against the mock API server,
 * each recorded request is turned into the RBAC verb on the resource it touches, and the roles
 * must grant exactly those, no verb missing (the deployer would fail with "forbidden") and none
 * unused (least privilege).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRbacTest {

    static final Path MANIFEST = Path.of("../deploy/kubernetes/base/deployer-service.yaml");

    KubernetesMockServer server;
    KubernetesClient client;

    /** "group/resource verb" in an app's namespace, and across all namespaces. */
    record Calls(Set<String> namespaced, Set<String> clusterWide) {
    }

    @Test
    void theDeployerRolesGrantExactlyTheCallsOfTheKubernetesPlatform() throws Exception {
        KubernetesPlatform platform = new KubernetesPlatform(client);
        WorkloadSpec v1 = spec("1");
        WorkloadSpec v2 = spec("2");

        platform.check(v1);
        platform.create(v1, PodListener.NONE);
        platform.routeStable(v1);
        platform.create(v2, PodListener.NONE);
        platform.pods("shop-ns", v2.name());
        platform.routeStable(v2);
        platform.scale("shop-ns", v1.name(), 0);
        platform.delete("shop-ns", v1.name());
        platform.workloads("shop-ns", "shop");
        platform.managedWorkloads();
        KubernetesPlatform restarted = new KubernetesPlatform(client);
        restarted.attach("shop-ns", v2.name(), PodListener.NONE);
        restarted.removeStable("shop-ns", "shop", "2");
        restarted.delete("shop-ns", v2.name());

        Calls calls = new Calls(new TreeSet<>(), new TreeSet<>());
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            record(calls);
            assertThat(calls.namespaced()).as("the pod informers watch").contains("/pods watch");
        });

        assertThat(grants("bgdeploy-deployer")).as("rights in an app's namespace")
                .containsExactlyInAnyOrderElementsOf(calls.namespaced());
        assertThat(grants("bgdeploy-deployer-orphan-scan")).as("rights across all namespaces")
                .containsExactlyInAnyOrderElementsOf(calls.clusterWide());
    }

    private static WorkloadSpec spec(String version) {
        ObjectNode podspec = JsonNodeFactory.instance.objectNode();
        podspec.putArray("containers").addObject().put("name", "web").put("image", "registry.example.com/shop:" + version);
        return new WorkloadSpec("d-" + version, "shop-ns", "shop", version, "shop-" + version, 2,
                Map.of(WorkloadSpec.LABEL_APP, "shop", WorkloadSpec.LABEL_VERSION, version,
                        WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY),
                podspec, Map.of(), List.of(new WorkloadSpec.PortSpec("http", 8080)), null);
    }

    /** Takes the requests recorded so far and adds their verbs. */
    private void record(Calls calls) throws InterruptedException {
        for (int n = server.getRequestCount(); n > 0; n--) {
            RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
            if (request == null) {
                return;
            }
            URI uri = URI.create(request.getPath());
            List<String> parts = List.of(uri.getPath().replaceFirst("^/", "").split("/"));
            // /api/v1/... or /apis/<group>/<version>/...
            String group = parts.get(0).equals("api") ? "" : parts.get(1);
            List<String> rest = parts.subList(parts.get(0).equals("api") ? 2 : 3, parts.size());
            boolean namespaced = rest.get(0).equals("namespaces");
            if (namespaced) {
                rest = rest.subList(2, rest.size());
            }
            String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
            boolean named = rest.size() > 1;
            String query = uri.getQuery() == null ? "" : uri.getQuery();
            String verb = switch (request.getMethod()) {
                case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> throw new AssertionError("unexpected request " + request.getRequestLine());
            };
            (namespaced ? calls.namespaced() : calls.clusterWide()).add(group + "/" + resource + " " + verb);
        }
    }

    /** "group/resource verb" granted by a ClusterRole of the deployer's manifest. */
    private static Set<String> grants(String roleName) throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String document : Files.readString(MANIFEST).split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            HasMetadata object = serialization.unmarshal(document, HasMetadata.class);
            if (object instanceof ClusterRole role && role.getMetadata().getName().equals(roleName)) {
                Set<String> grants = new TreeSet<>();
                for (PolicyRule rule : role.getRules()) {
                    for (String group : rule.getApiGroups()) {
                        for (String resource : rule.getResources()) {
                            grants.addAll(rule.getVerbs().stream().map(v -> group + "/" + resource + " " + v)
                                    .collect(Collectors.toSet()));
                        }
                    }
                }
                return grants;
            }
        }
        throw new AssertionError("no ClusterRole " + roleName + " in " + MANIFEST);
    }
}
