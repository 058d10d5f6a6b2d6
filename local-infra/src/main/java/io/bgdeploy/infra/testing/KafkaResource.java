package io.bgdeploy.infra.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * For {@code @QuarkusTestResource(KafkaResource.class)}: a real KRaft broker shared by the test JVM;
 * sets {@code kafka.bootstrap.servers}.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by a shutdown hook
    }
}
