package io.bgdeploy.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every event type has a golden JSON example that decodes and encodes back to the same JSON. */
class GoldenEventsTest {

    static String golden(EventType type) throws IOException {
        String name = type.type().substring("io.bgdeploy.".length());
        try (InputStream in = GoldenEventsTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            assertThat(in).as("golden example golden/%s.json", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void goldenExampleRoundTrips(EventType type) throws Exception {
        String json = golden(type);
        EventEnvelope<?> event = EventCodec.decode(json);

        assertThat(event.data()).isInstanceOf(type.dataClass());
        assertThat(event.type()).isEqualTo(type.type());
        assertThat(event.subject()).isEqualTo(event.data().key());
        JsonNode original = EventCodec.mapper().readTree(json);
        JsonNode reencoded = EventCodec.mapper().readTree(EventCodec.encode(event));
        assertThat(reencoded).isEqualTo(original);
    }

    @Test
    void decodedValuesAreTheOnesInTheExample() throws Exception {
        EventEnvelope<DeployRequested> request = EventCodec.decode(golden(EventType.DEPLOY_REQUESTED), DeployRequested.class);
        assertThat(request.data().descriptor().appName()).isEqualTo("shop");
        assertThat(request.data().descriptor().additionHttpHeaders().get(0).header()).isEqualTo("X-Frame-Options");
        assertThat(request.data().descriptor().podspec().at("/containers/0/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(request.key()).isEqualTo("default/shop");

        var finished = EventCodec.decode(golden(EventType.DEPLOYMENT_FINISHED), DeploymentFinished.class).data();
        assertThat(finished.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(finished.durationMillis()).isEqualTo(61234);

        var sw = EventCodec.decode(golden(EventType.SWITCH_FRONTEND), SwitchFrontend.class).data();
        assertThat(sw.expectedBackendId()).isEqualTo("default-shop-2");
        assertThat(sw.frontend().redirectWww()).isTrue();
        assertThat(sw.backend().id()).isEqualTo(sw.backendId());
        assertThat(sw.backend().servers()).extracting(ServerSpec::address).containsExactly("10.1.2.3");
    }

    @Test
    void newEventsCarryCloudEventsAttributes() throws Exception {
        var data = EventCodec.decode(golden(EventType.DEPLOYMENT_FINISHED)).data();
        EventEnvelope<?> event = EventEnvelope.of("/deployer-service", data);
        EventEnvelope<?> back = EventCodec.decode(EventCodec.encode(event));
        assertThat(back).isEqualTo(event);
        assertThat(back.specversion()).isEqualTo("1.0");
        assertThat(back.id()).isNotBlank();
        assertThat(back.type()).isEqualTo("io.bgdeploy.deployment.finished");
        assertThat(back.subject()).isEqualTo("default/shop");
        assertThat(back.time()).isNotNull();
    }
}
