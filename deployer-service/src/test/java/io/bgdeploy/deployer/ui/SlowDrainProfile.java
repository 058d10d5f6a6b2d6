package io.bgdeploy.deployer.ui;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Blue keeps running long enough after the switch for a person (or a browser test) to roll back. */
public class SlowDrainProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("deployer.drain-delay", "40s");
    }
}
