package io.bgdeploy.deployer.platform.kubernetes;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.awaitility.Awaitility.await;

/**
 * The deployer on the Kubernetes platform against the mock API server in CRUD mode; the test plays
 * the cluster: when a Deployment appears it creates its pods, running, with addresses.
 */
@QuarkusTest
@TestProfile(KubernetesProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class KubernetesPlatformTest {

    /** The application's own client, pointed at the mock API server by the test resource. */
    @Inject
    KubernetesClient client;

    @Inject
    Platform platform;

    private static final String DESCRIPTOR = descriptor("kube");

    private static String descriptor(String app) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "#", "replicas": 2, "frontend": "%s.example.com",
                 "useHealthCheck": false, "environment": {"GREETING": "hello"},
                 "podspec": {"containers": [{"name": "web", "image": "registry.example.com/kube:1",
                   "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}]}]}}"""
                .formatted(app, app);
    }

    /** Stores the descriptor and returns its id. */
    private static String storeDescriptor(String json) {
        String location = given().body(json).post("/descriptors/?namespace=default")
                .then().statusCode(201).extract().header("Location");
        return location.substring("/descriptors/".length(), location.indexOf("/?"));
    }

    /** Starts a deployment of the stored descriptor and returns its location. */
    private static String startDeployment(String descriptorId) {
        return given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
    }

    private static String idOf(String deploymentLocation) {
        return deploymentLocation.substring("/deployments/".length(), deploymentLocation.indexOf("/?"));
    }

    private Service service(String name) {
        return client.services().inNamespace("default").withName(name).get();
    }

    private static KafkaSuiteDoubles suite() {
        return KafkaSuiteDoubles.start(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    /** Plays the kubelet: the Deployment's pods run, with IPs from 10.1.<version>.x. */
    private void runPodsOf(String name, int version) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.apps().deployments().inNamespace("default").withName(name).get() != null);
        Deployment d = client.apps().deployments().inNamespace("default").withName(name).get();
        for (int i = 1; i <= d.getSpec().getReplicas(); i++) {
            Pod pod = new PodBuilder().withNewMetadata().withName(name + "-pod" + i).withNamespace("default")
                    .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                    .withSpec(d.getSpec().getTemplate().getSpec()).editSpec().withNodeName("node-1").endSpec()
                    .withNewStatus().withPhase("Running").withPodIP("10.1." + version + "." + i).endStatus().build();
            client.pods().inNamespace("default").resource(pod).create();
        }
    }

    private static String awaitFinal(String location) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String status = given().get(location).jsonPath().getString("status");
            return !status.equals("DEPLOYING");
        });
        return given().get(location).jsonPath().getString("status");
    }

    @Test
    void blueGreenOnKubernetesCreatesDeploymentsAndServicesAndRemovesBlue() {
        KafkaSuiteDoubles suite = suite();
        String descriptorId = storeDescriptor(DESCRIPTOR);

        String first = startDeployment(descriptorId);
        runPodsOf("kube-1", 1);
        assertThat(awaitFinal(first)).isEqualTo("DEPLOYED");

        Deployment v1 = client.apps().deployments().inNamespace("default").withName("kube-1").get();
        assertThat(v1.getMetadata().getLabels()).containsEntry("app", "kube").containsEntry("version", "1")
                .containsEntry("managed-by", "bgdeploy-deployer");
        var container = v1.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).extracting(EnvVar::getName)
                .contains("GREETING", "APP_NAME", "APP_VERSION", "POD_NAMESPACE", "POD_NAME");
        assertThat(container.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst().orElseThrow()
                .getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        Service versioned = service("kube-1");
        assertThat(versioned.getSpec().getSelector()).isEqualTo(Map.of("app", "kube", "version", "1"));
        Service stable = service("kube");
        assertThat(stable.getSpec().getSelector()).isEqualTo(Map.of("app", "kube", "version", "1"));
        assertThat(stable.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("http:8080->8080", "metrics:9090->9090")
                .isEqualTo(versioned.getSpec().getPorts().stream()
                        .map(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal()).toList());
        assertThat(stable.getMetadata().getLabels()).containsEntry("app", "kube").containsEntry("managed-by", "bgdeploy-deployer")
                .doesNotContainKey("version");
        assertThat(suite.lb.backends.get("default-kube-1").backend().servers())
                .extracting(s -> s.address() + ":" + s.port()).containsExactlyInAnyOrder("10.1.1.1:8080", "10.1.1.2:8080");

        String second = startDeployment(descriptorId);
        runPodsOf("kube-2", 2);
        assertThat(awaitFinal(second)).isEqualTo("DEPLOYED");

        assertThat(suite.lb.frontends).containsEntry(HostName.of("kube.example.com"), "default-kube-2");
        assertThat(client.apps().deployments().inNamespace("default").withName("kube-1").get()).isNull();
        assertThat(service("kube-1")).isNull();
        assertThat(service("kube").getSpec().getSelector()).isEqualTo(Map.of("app", "kube", "version", "2"));
        assertThat(client.apps().deployments().inNamespace("default").withLabel("app", "kube").list().getItems())
                .extracting(d -> d.getMetadata().getName()).isEqualTo(List.of("kube-2"));
    }

    @Test
    void aRollbackDuringTheDrainPointsTheStableServiceBackAtBlue() {
        suite();
        String descriptorId = storeDescriptor(descriptor("kroll"));
        String first = startDeployment(descriptorId);
        runPodsOf("kroll-1", 1);
        assertThat(awaitFinal(first)).isEqualTo("DEPLOYED");
        String second = startDeployment(descriptorId);
        runPodsOf("kroll-2", 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DRAINING".equals(given().get(second).jsonPath().getString("phase")));
        assertThat(service("kroll").getSpec().getSelector()).isEqualTo(Map.of("app", "kroll", "version", "2"));

        given().post("/deployments/" + idOf(second) + "/rollback?namespace=default").then().statusCode(202);

        assertThat(awaitFinal(second)).isEqualTo("FAILURE");
        assertThat(service("kroll").getSpec().getSelector()).isEqualTo(Map.of("app", "kroll", "version", "1"));
        assertThat(service("kroll-1")).isNotNull();
        assertThat(service("kroll-2")).isNull();
    }

    @Test
    void aFailedFirstDeploymentLeavesNoStableService() {
        KafkaSuiteDoubles suite = suite();
        suite.lb.reject = c -> c instanceof SwitchFrontend s && s.appName().equals("kfail");
        try {
            String first = startDeployment(storeDescriptor(descriptor("kfail")));
            runPodsOf("kfail-1", 1);

            assertThat(awaitFinal(first)).isEqualTo("FAILURE");
        } finally {
            suite.lb.reject = c -> false;
        }
        assertThat(service("kfail")).isNull();
        assertThat(service("kfail-1")).isNull();
        assertThat(client.apps().deployments().inNamespace("default").withName("kfail-1").get()).isNull();
    }

    @Test
    void undeployingTheServingVersionRemovesTheStableService() {
        suite();
        String first = startDeployment(storeDescriptor(descriptor("kgone")));
        runPodsOf("kgone-1", 1);
        assertThat(awaitFinal(first)).isEqualTo("DEPLOYED");
        assertThat(service("kgone")).isNotNull();

        given().delete(first).then().statusCode(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> "UNDEPLOYED".equals(given().get(first).jsonPath().getString("status")));
        assertThat(service("kgone")).isNull();
        assertThat(service("kgone-1")).isNull();
    }

    @Test
    void aServiceOfSomeoneElseNamedLikeTheAppIsNeitherTakenOverNorDeleted() {
        Service foreign = new ServiceBuilder().withNewMetadata().withName("kforeign").withNamespace("default")
                .withLabels(Map.of("app", "legacy")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "legacy")).addNewPort().withPort(80).endPort().endSpec().build();
        client.services().inNamespace("default").resource(foreign).create();

        given().body(descriptor("kforeign")).post("/descriptors/validate").then().statusCode(400)
                .body("problems", hasItem(allOf(startsWith("appName: Service kforeign in namespace default exists"),
                        containsString("rename the app"))));
        assertThat(platform.removeStable("default", "kforeign", "1")).isFalse();
        assertThat(service("kforeign")).isNotNull();
    }
}
