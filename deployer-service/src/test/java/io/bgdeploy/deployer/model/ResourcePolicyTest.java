package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResourcePolicyTest {

    private static ObjectNode podspec(String resources) throws Exception {
        return (ObjectNode) EventCodec.mapper().readTree("""
                {"containers": [{"name": "web", "image": "nginx" %s}]}""".formatted(resources));
    }

    @Test
    void fillAddsDefaultsAndSaysWhich() throws Exception {
        var policy = new ResourcePolicy(ResourcePolicy.Mode.FILL, "100m", "500m", "128Mi", "256Mi");
        var result = policy.apply(podspec(", \"resources\": {\"limits\": {\"memory\": \"64Mi\"}}"));
        var res = result.podspec().get("containers").get(0).get("resources");
        assertThat(res.get("limits").get("memory").asText()).isEqualTo("64Mi");
        assertThat(res.get("limits").get("cpu").asText()).isEqualTo("500m");
        assertThat(res.get("requests").get("memory").asText()).as("a request never exceeds its limit").isEqualTo("64Mi");
        assertThat(result.notes()).anyMatch(n -> n.contains("limits.cpu not set, using 500m"));
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void requireRefusesMissingLimits() throws Exception {
        var policy = new ResourcePolicy(ResourcePolicy.Mode.REQUIRE, "100m", "500m", "128Mi", "256Mi");
        var result = policy.apply(podspec(""));
        assertThat(result.problems()).singleElement().asString()
                .contains("container 'web' has no limits.cpu and no limits.memory");
    }
}
