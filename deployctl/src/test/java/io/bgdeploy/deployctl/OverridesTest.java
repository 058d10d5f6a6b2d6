package io.bgdeploy.deployctl;

import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --set: the descriptor a CI job deploys, changed on the command line and still read strictly. */
class OverridesTest {

    private static Descriptor read(Path file, String... overrides) throws Exception {
        return DescriptorFile.read(file, Optional.empty(), List.of(overrides));
    }

    @Test
    void theImageFieldsAndEnvironmentAreSetWithoutEditingTheFile() throws Exception {
        Path sample = DescriptorFileTest.sample();
        String before = Files.readString(sample);

        Descriptor d = read(sample, "image=registry.example.com/web:1.5.0", "replicas=3", "newVersion=7",
                "frontend=web.test.example.com", "useHealthCheck=false", "env.FEATURE_X=on", "env.GREETING=a=b");

        assertThat(d.podspec().get("containers").get(0).get("image").asText()).isEqualTo("registry.example.com/web:1.5.0");
        assertThat(d.replicas()).isEqualTo(3);
        assertThat(d.newVersion()).isEqualTo("7");
        assertThat(d.frontend()).isEqualTo("web.test.example.com");
        assertThat(d.useHealthCheck()).isFalse();
        assertThat(d.environment()).containsEntry("FEATURE_X", "on").containsEntry("GREETING", "a=b");
        assertThat(DescriptorFile.problems(d)).isEmpty();
        assertThat(Files.readString(sample)).as("the file itself").isEqualTo(before);
    }

    @Test
    void aContainerIsNamedWhenThePodHasSeveral(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.json");
        Files.writeString(file, """
                {"appName": "web", "frontend": "web.example.com",
                 "podspec": {"containers": [{"name": "web", "image": "web:1"}, {"name": "proxy", "image": "envoy:1"}]}}""");

        Descriptor d = read(file, "image.proxy=envoy:2");
        assertThat(d.podspec().get("containers").get(1).get("image").asText()).isEqualTo("envoy:2");
        assertThat(d.podspec().get("containers").get(0).get("image").asText()).isEqualTo("web:1");

        assertThatThrownBy(() -> read(file, "image=web:2")).hasMessageContaining("exactly one container")
                .hasMessageContaining("[web, proxy]");
    }

    @Test
    void mistakesSayWhatToWriteInstead() {
        Path sample = DescriptorFileTest.sample();
        assertThatThrownBy(() -> read(sample, "replicas")).hasMessageContaining("is not key=value");
        assertThatThrownBy(() -> read(sample, "replicas=three")).hasMessageContaining("replicas is a whole number");
        assertThatThrownBy(() -> read(sample, "useHealthCheck=yes")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> read(sample, "podspec={}")).hasMessageContaining("is a structure");
        assertThatThrownBy(() -> read(sample, "replica=2")).hasMessageContaining("no such descriptor field");
        assertThatThrownBy(() -> read(sample, "id=x")).hasMessageContaining("no such descriptor field");
        assertThatThrownBy(() -> read(sample, "image= ")).hasMessageContaining("needs an image reference");
    }

    @Test
    void anOverrideThatBreaksTheDescriptorIsCaughtByTheValidator() throws Exception {
        Descriptor d = read(DescriptorFileTest.sample(), "frontend=https://web.example.com");
        assertThat(DescriptorFile.problems(d)).anyMatch(p -> p.contains("contains '://'"));
    }
}
