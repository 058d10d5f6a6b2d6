package io.bgdeploy.deployer.platform.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stable Service and the JSON patch that moves it, without a server: the patch is applied as
 * an API server applies an RFC 6902 patch, to the Service as the server stores it.
 */
class KubernetesObjectsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WorkloadSpec spec(String app, String version, List<WorkloadSpec.PortSpec> ports) {
        return new WorkloadSpec("id-" + version, "shop-ns", app, version, app + "-" + version, 1,
                Map.of(WorkloadSpec.LABEL_APP, app, WorkloadSpec.LABEL_VERSION, version,
                        WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY),
                JsonNodeFactory.instance.objectNode(), Map.of(), ports, null);
    }

    /** The Service as the API server has it: what was created, plus the fields the server fills in. */
    private static JsonNode stored(Service created) throws Exception {
        Service s = new ServiceBuilder(created).editMetadata().withResourceVersion("7").withUid("u-1").endMetadata()
                .editSpec().withClusterIP("10.96.0.12").withType("ClusterIP").endSpec().build();
        return JSON.readTree(SERIALIZATION.asJson(s));
    }

    private static Service patched(JsonNode stored, WorkloadSpec serving) throws Exception {
        JsonNode result = JsonPatch.apply(JSON.readTree(KubernetesObjects.stableServicePatch(serving)), stored);
        return SERIALIZATION.unmarshal(result.toString(), Service.class);
    }

    @Test
    void theStableServiceIsNamedAfterTheAppAndSelectsTheServingVersionOnTheVersionedServicesPorts() {
        WorkloadSpec v1 = spec("shop", "1", List.of(new WorkloadSpec.PortSpec("http", 8080), new WorkloadSpec.PortSpec("", 9090)));

        Service stable = KubernetesObjects.stableService(v1);

        assertThat(stable.getMetadata().getName()).isEqualTo("shop");
        assertThat(stable.getMetadata().getNamespace()).isEqualTo("shop-ns");
        assertThat(stable.getSpec().getSelector()).isEqualTo(Map.of("app", "shop", "version", "1"));
        assertThat(stable.getSpec().getPorts()).isEqualTo(KubernetesObjects.service(v1).getSpec().getPorts());
        assertThat(KubernetesObjects.isStableServiceOf(stable, "shop")).isTrue();
        assertThat(KubernetesObjects.isVersionedService(stable)).isFalse();
        assertThat(KubernetesObjects.isVersionedService(KubernetesObjects.service(v1))).isTrue();
    }

    @Test
    void thePatchMovesSelectorAndPortsToTheNewVersionAndKeepsWhatTheServerFilledIn() throws Exception {
        WorkloadSpec v1 = spec("shop", "1", List.of(new WorkloadSpec.PortSpec("http", 8080)));
        WorkloadSpec v2 = spec("shop", "2", List.of(new WorkloadSpec.PortSpec("web", 8081)));

        Service moved = patched(stored(KubernetesObjects.stableService(v1)), v2);

        assertThat(moved.getSpec().getSelector()).isEqualTo(Map.of("app", "shop", "version", "2"));
        assertThat(moved.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("web:8081->8081");
        assertThat(moved.getSpec().getClusterIP()).isEqualTo("10.96.0.12");
        assertThat(moved.getMetadata().getLabels()).isEqualTo(KubernetesObjects.stableServiceLabels("shop"));
    }

    @Test
    void thePatchFailsOnAServiceThatIsNotTheAppsStableService() throws Exception {
        WorkloadSpec shop1 = spec("shop-1", "3", List.of(new WorkloadSpec.PortSpec("http", 8080)));
        Service someoneElses = new ServiceBuilder().withNewMetadata().withName("shop-1").withNamespace("shop-ns")
                .withLabels(Map.of("app", "legacy")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "legacy")).addNewPort().withPort(80).endPort().endSpec().build();
        Service versionedOfAppShop = KubernetesObjects.service(spec("shop", "1", List.of(new WorkloadSpec.PortSpec("http", 8080))));
        Service stableOfAnotherApp = KubernetesObjects.stableService(spec("shop", "1", List.of()));
        Service versionedOfTheSameApp = KubernetesObjects.service(shop1);

        for (Service existing : List.of(someoneElses, versionedOfAppShop, stableOfAnotherApp, versionedOfTheSameApp)) {
            JsonNode stored = stored(existing);
            assertThatThrownBy(() -> patched(stored, shop1)).as("patching %s", existing.getMetadata().getLabels())
                    .isInstanceOf(JsonPatchException.class);
        }
    }
}
