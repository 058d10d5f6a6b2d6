package io.bgdeploy.deployer.platform.kubernetes;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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

    private static final String DESCRIPTOR = """
            {"namespace": "default", "appName": "kube", "newVersion": "#", "replicas": 2, "frontend": "kube.example.com",
             "useHealthCheck": false, "environment": {"GREETING": "hello"},
             "podspec": {"containers": [{"name": "web", "image": "registry.example.com/kube:1",
               "ports": [{"name": "http", "containerPort": 8080}]}]}}""";

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
        KafkaSuiteDoubles suite = KafkaSuiteDoubles.start(
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        String descriptorLocation = given().body(DESCRIPTOR).post("/descriptors/?namespace=default")
                .then().statusCode(201).extract().header("Location");
        String descriptorId = descriptorLocation.substring("/descriptors/".length(), descriptorLocation.indexOf("/?"));

        String first = given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
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
        assertThat(client.services().inNamespace("default").withName("kube-1").get().getSpec().getSelector())
                .isEqualTo(Map.of("app", "kube", "version", "1"));
        assertThat(suite.lb.backends.get("default-kube-1").backend().servers())
                .extracting(s -> s.address() + ":" + s.port()).containsExactlyInAnyOrder("10.1.1.1:8080", "10.1.1.2:8080");

        String second = given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
        runPodsOf("kube-2", 2);
        assertThat(awaitFinal(second)).isEqualTo("DEPLOYED");

        assertThat(suite.lb.frontends).containsEntry("kube.example.com", "default-kube-2");
        assertThat(client.apps().deployments().inNamespace("default").withName("kube-1").get()).isNull();
        assertThat(client.services().inNamespace("default").withName("kube-1").get()).isNull();
        assertThat(client.apps().deployments().inNamespace("default").list().getItems())
                .extracting(d -> d.getMetadata().getName()).isEqualTo(List.of("kube-2"));
    }
}
