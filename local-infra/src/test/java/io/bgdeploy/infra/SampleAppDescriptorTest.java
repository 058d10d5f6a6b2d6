package io.bgdeploy.infra;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DescriptorValidator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample app's descriptor is one the deployer accepts, and runs the sample app's source. */
class SampleAppDescriptorTest {

    @Test
    void descriptorIsValidAndPointsAtTheSampleApp() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();

        String json = SampleAppDescriptor.json(root, "default", "chaos-a", "chaos-a.localhost", 1,
                Map.of("CHAOS_RUN", "run1"));
        Descriptor d = EventCodec.read(json.getBytes(StandardCharsets.UTF_8), Descriptor.class);

        assertThat(DescriptorValidator.validate(d)).isEmpty();
        assertThat(d.appName()).isEqualTo("chaos-a");
        assertThat(d.frontend()).isEqualTo("chaos-a.localhost");
        assertThat(d.environment()).containsEntry("CHAOS_RUN", "run1");
        String source = EventCodec.mapper().readTree(json).at("/podspec/containers/0/command/3").asText();
        assertThat(Path.of(source)).isRegularFile();
        assertThat(Files.readString(Path.of(source))).contains("class SampleApp");
    }
}
