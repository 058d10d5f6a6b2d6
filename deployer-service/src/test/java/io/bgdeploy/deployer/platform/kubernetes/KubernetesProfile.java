package io.bgdeploy.deployer.platform.kubernetes;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The deployer on the Kubernetes platform (the mock API server of the test). */
public class KubernetesProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("deployer.platform", "kubernetes");
    }
}
