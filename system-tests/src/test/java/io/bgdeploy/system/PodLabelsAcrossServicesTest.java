package io.bgdeploy.system;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.deployer.platform.kubernetes.KubernetesObjects;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.health.cluster.ClusterFacts;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.PodFacts;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployer labels the pods it starts on Kubernetes; health-service, with its default settings,
 * reads app, version and deployment id back from those labels. Both sides' own code is used: the
 * deployer's planner and Kubernetes objects, health-service's configuration defaults and its
 * reading of a pod.
 */
class PodLabelsAcrossServicesTest {

    private static String healthDefault(String setting) throws NoSuchMethodException {
        return HealthConfig.Cluster.class.getMethod(setting).getAnnotation(WithDefault.class).value();
    }

    @Test
    void healthServiceReadsTheLabelsTheDeployerPutsOnItsPods() throws Exception {
        Descriptor descriptor = EventCodec.read(("{\"namespace\": \"shop\", \"appName\": \"cart\", \"newVersion\": \"3\","
                + " \"replicas\": 2, \"podspec\": {\"containers\": [{\"name\": \"cart\","
                + " \"image\": \"registry.example.com/cart:3\", \"ports\": [{\"containerPort\": 8080}]}]}}")
                .getBytes(StandardCharsets.UTF_8), Descriptor.class);
        WorkloadSpec spec = BlueGreenPlanner.workload("d-20261124-0042", descriptor, "3", descriptor.podspec(), Map.of());
        Map<String, String> podLabels = KubernetesObjects.deployment(spec).getSpec().getTemplate().getMetadata().getLabels();

        Pod pod = new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("cart-3-7c9f4").withNamespace("shop").withLabels(podLabels)
                        .build())
                .withNewSpec().withNodeName("node-1").endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.2.3").endStatus()
                .build();
        PodFacts facts = ClusterFacts.pod(pod, healthDefault("appLabel"), healthDefault("versionLabel"),
                healthDefault("deploymentIdLabel")).orElseThrow(() -> new AssertionError(
                "health-service does not see the deployer's pod as a pod of an app; its labels: " + podLabels));

        assertThat(facts.pod().appName()).isEqualTo("cart");
        assertThat(facts.pod().version()).isEqualTo("3");
        assertThat(facts.pod().deploymentId()).as("the deployment id, read from the label the deployer writes")
                .isEqualTo("d-20261124-0042");
        assertThat(podLabels).containsKey(healthDefault("deploymentIdLabel"));
    }
}
