package io.bgdeploy.deployer.platform.kubernetes;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The deployer on the Kubernetes platform (the mock API server of the test), with a drain long
 * enough for a test to ask for a rollback while blue still runs.
 */
public class KubernetesProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("deployer.platform", "kubernetes", "deployer.drain-delay", "5s");
    }
}
