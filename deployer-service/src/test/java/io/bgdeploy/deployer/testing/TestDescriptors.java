package io.bgdeploy.deployer.testing;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;

/** Descriptors of the tests that run the core with fakes: two replicas of nginx behind {@code <app>.example.com}. */
public final class TestDescriptors {

    private TestDescriptors() {
    }

    /** @param extra more JSON fields, each after a comma */
    public static Descriptor descriptor(String app, String version, String extra) {
        String json = """
                {"appName": "%s", "newVersion": "%s", "replicas": 2, "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "/health" %s,
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, version, app, extra);
        try {
            return EventCodec.read(json.getBytes(), Descriptor.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
