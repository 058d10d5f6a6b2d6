package io.bgdeploy.deployer.benchmark;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** No drain delay (it is waiting by configuration, not overhead) and a generous health deadline. */
public class BenchmarkProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("deployer.drain-delay", "0s", "deployer.health-deadline", "120s", "deployer.lb-timeout", "60s",
                "quarkus.log.category.\"io.bgdeploy\".level", "WARN");
    }
}
