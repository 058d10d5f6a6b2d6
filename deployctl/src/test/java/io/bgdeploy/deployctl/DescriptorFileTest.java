package io.bgdeploy.deployctl;

import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DescriptorFileTest {

    static Path sample() {
        return Path.of("src/test/resources/web.json");
    }

    @Test
    void theSameDescriptorIsPromotedToAnotherNamespace() throws Exception {
        Descriptor test = DescriptorFile.read(sample(), Optional.of("test"));
        Descriptor production = DescriptorFile.read(sample(), Optional.of("production"));

        assertThat(test.key()).isEqualTo("test/web");
        assertThat(production.key()).isEqualTo("production/web");
        assertThat(production.podspec()).isEqualTo(test.podspec());
        assertThat(production.replicas()).isEqualTo(2);
        assertThat(DescriptorFile.read(sample(), Optional.empty()).key()).isEqualTo("default/web");
        assertThat(DescriptorFile.problems(production)).isEmpty();
    }

    @Test
    void aTypoInAFieldNameIsCaughtBeforeAnythingIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.json");
        Files.writeString(file, "{\"appName\": \"web\", \"replica\": 2}", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DescriptorFile.read(file, Optional.empty()))
                .isInstanceOf(DescriptorFile.UnreadableException.class)
                .hasMessage("descriptor file " + file + " is not a valid descriptor: unknown field 'replica' (at replica)");
        assertThatThrownBy(() -> DescriptorFile.read(dir.resolve("missing.json"), Optional.empty()))
                .hasMessageEndingWith("missing.json does not exist");
    }

    @Test
    void problemsAreListedOnePerLine() throws Exception {
        Descriptor d = DescriptorFile.parse("bad.json",
                "{\"appName\": \"Web_App\", \"replicas\": 0, \"podspec\": {\"containers\": []}}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());

        assertThat(DescriptorFile.problems(d)).hasSize(3).anySatisfy(p -> assertThat(p).startsWith("appName: "))
                .anySatisfy(p -> assertThat(p).startsWith("replicas: "))
                .anySatisfy(p -> assertThat(p).startsWith("podspec.containers: "));
    }
}
