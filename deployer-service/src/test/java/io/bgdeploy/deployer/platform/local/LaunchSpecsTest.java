package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.localplatform.LaunchSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A deployer's workload as the local platform gets it: the pod spec read once, here. */
class LaunchSpecsTest {

    private static WorkloadSpec spec(String descriptorFields, String containers) throws Exception {
        Descriptor d = EventCodec.read(("""
                {"appName": "shop", "environment": {"GREETING": "hi"}, %s "podspec": {"containers": [%s]}}
                """.formatted(descriptorFields, containers)).getBytes(), Descriptor.class);
        return BlueGreenPlanner.workload("dep-1", d, "2", d.podspec(), Map.of("REGION", "eu"));
    }

    @Test
    void everyContainerIsTranslatedWithItsCommandVariablesPortsAndMemoryLimit() throws Exception {
        WorkloadSpec spec = spec("", """
                {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                 "env": [{"name": "URL", "value": "http://$(POD_NAME):$(PORT)/"}, {"name": "EMPTY"}],
                 "resources": {"limits": {"memory": "0.5Gi"}}},
                {"name": "agent", "image": "x", "command": ["agent", "--target=$(PORT_80)"], "args": ["--verbose"],
                 "ports": [{"containerPort": 9100}]}""");

        LaunchSpecs.Translation translation = LaunchSpecs.translate(spec);

        assertThat(translation.problems()).isEmpty();
        LaunchSpec launch = translation.launch();
        assertThat(launch).extracting(LaunchSpec::namespace, LaunchSpec::name, LaunchSpec::appName, LaunchSpec::version,
                LaunchSpec::deploymentId, LaunchSpec::replicas).containsExactly("default", "shop-2", "shop", "2", "dep-1", 1);
        assertThat(launch.env().keySet()).as("in the order the deployer injects them")
                .containsExactly("REGION", "GREETING", "APP_NAME", "APP_VERSION", "POD_NAMESPACE");
        assertThat(launch.ports()).containsExactly(80, 9100);
        assertThat(launch.containers()).containsExactly(
                new LaunchSpec.Container("web", "nginx", List.of(), List.of(),
                        List.of(new LaunchSpec.EnvVar("URL", "http://$(POD_NAME):$(PORT)/"), new LaunchSpec.EnvVar("EMPTY", "")),
                        List.of(80), 512L << 20),
                new LaunchSpec.Container("agent", "x", List.of("agent", "--target=$(PORT_80)"), List.of("--verbose"),
                        List.of(), List.of(9100), 0));
    }

    @Test
    void unnamedContainersAreNamedAfterTheAppAndAHealthCheckPortNoContainerDeclaresGetsAPortToo() throws Exception {
        WorkloadSpec spec = spec("\"useHealthCheck\": true, \"healthCheckPort\": 8081,", """
                {"image": "nginx", "ports": [{"containerPort": 8080}]}, {"image": "busybox", "command": ["sleep", "600"]}""");

        LaunchSpec launch = LaunchSpecs.translate(spec).launch();

        assertThat(launch.containers()).extracting(LaunchSpec.Container::name).containsExactly("shop", "shop-1");
        assertThat(launch.ports()).containsExactly(8080, 8081);
    }

    @Test
    void whatTheLocalPlatformCannotTakeFromAPodSpecIsAProblemNamedByItsPath() throws Exception {
        WorkloadSpec spec = spec("", """
                {"name": "web", "image": "x", "command": ["run"],
                 "env": [{"value": "no name"}, {"name": "PW", "valueFrom": {"secretKeyRef": {}}}],
                 "resources": {"limits": {"memory": "1K"}}}""");

        LaunchSpecs.Translation translation = LaunchSpecs.translate(spec);

        assertThat(translation.problems()).containsExactly(
                "podspec.containers[0].env[0].name is required",
                "podspec.containers[0].env[1] (PW): valueFrom is not supported by the local platform: give a value",
                "podspec.containers[0].resources.limits.memory: '1K' is not a Kubernetes quantity: write a number with"
                        + " an optional suffix, e.g. 128Mi, 1Gi, 500M or 500m");
        assertThat(translation.launch().containers().get(0).memoryLimitBytes()).isZero();
    }
}
