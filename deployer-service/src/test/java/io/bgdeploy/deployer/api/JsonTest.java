package io.bgdeploy.deployer.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void onlyTheStatusLineContainsStatusSoAGrepInACiScriptFindsIt() throws Exception {
        Descriptor d = EventCodec.read("""
                {"appName": "status-app", "healthCheckPath": "/status", "environment": {"status": "status"},
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "args": ["--status"]}]}}
                """.getBytes(), Descriptor.class);
        Instant now = Instant.now();
        Deployment deployment = new Deployment("id-1", now, now, "default", "status-app", "1", DeploymentStatus.DEPLOYED,
                DeploymentPhase.REMOVING_BLUE, "ci", null, null, null, "status page broken", d, null);

        String json = Json.deployment(deployment);

        assertThat(Arrays.stream(json.split("\n")).filter(l -> l.contains("status")))
                .containsExactly("  \"status\" : \"DEPLOYED\",");
        JsonNode back = EventCodec.mapper().readTree(json);
        assertThat(back.get("descriptor").get("healthCheckPath").asText()).isEqualTo("/status");
        assertThat(back.get("reason").asText()).isEqualTo("status page broken");
        assertThat(back.get("descriptor").get("environment").get("status").asText()).isEqualTo("status");
    }
}
