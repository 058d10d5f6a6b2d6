package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference deployer's own CI script and example descriptor, unchanged except for the
 * {@code DEPLOYER=} line: it creates the descriptor, deploys, follows the status to DEPLOYED and
 * fetches logs and health-check data. The descriptor's {@code nginx} image runs as the local
 * platform's built-in HTTP server. Namespace {@code default} is open without a token in the test
 * profile, because the script sends none.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class ReferenceScriptTest {

    static final Path REFERENCE = Path.of("/work/shared/reference");

    @TempDir
    Path dir;

    @Test
    void deployShRunsUnchangedToDeployed() throws Exception {
        KafkaSuiteDoubles suite = KafkaSuiteDoubles.start(
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        String script = Files.readString(REFERENCE.resolve("deploy.sh"), StandardCharsets.UTF_8);
        String rewritten = script.lines().map(l -> l.startsWith("DEPLOYER=")
                ? "DEPLOYER=\"http://localhost:" + RestAssured.port + "\"" : l).collect(Collectors.joining("\n", "", "\n"));
        assertThat(rewritten.lines().filter(l -> !script.contains(l)).count()).isEqualTo(1);
        Files.writeString(dir.resolve("deploy.sh"), rewritten);
        Files.copy(REFERENCE.resolve("descriptor.json"), dir.resolve("descriptor.json"));

        Process p = new ProcessBuilder("bash", "deploy.sh").directory(dir.toFile()).redirectErrorStream(true).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }

        assertThat(ended).as("deploy.sh ended; output:\n" + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("descriptor id: [a-z0-9]+-[0-9a-f]{8}\n")
                .containsPattern("deployment id: [a-z0-9]+-[0-9a-f]{8}\n")
                .contains("Deployment status: DEPLOYED")
                .doesNotContain("Deployment status: FAILURE")
                .contains("phase SWITCHING")
                .contains("\"state\" : \"READY\"");
        assertThat(suite.lb.frontends).containsEntry(HostName.of("demo.example.com"), "default-nginx-demo-1");
    }
}
