package io.bgdeploy.infra.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * For {@code @QuarkusTestResource(EtcdResource.class)}: a real etcd shared by the test JVM; sets
 * {@code bgdeploy.etcd.endpoints}.
 */
public class EtcdResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("bgdeploy.etcd.endpoints", SharedInfra.etcd().endpoint());
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by a shutdown hook
    }
}
