package io.bgdeploy.deployctl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anInvalidDescriptorIsRejectedBeforeAnythingIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"appName\": \"web\", \"frontend\": \"https://web.example.com\","
                + " \"podspec\": {\"containers\": [{\"name\": \"web\", \"image\": \"web:1\"}]}}");

        int code = run("deploy", "--descriptor", file.toString(), "--bootstrap", "127.0.0.1:1");

        assertThat(code).isEqualTo(Outcome.REJECTED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("REJECTED before sending: " + file + " has 1 problem(s)",
                "  - frontend: 'https://web.example.com' contains '://'");
    }

    @Test
    void aMissingDescriptorFileOrAWrongOptionCannotRun() {
        assertThat(run("deploy", "--descriptor", "/nonexistent/app.json")).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("deployctl: descriptor file /nonexistent/app.json does not exist");

        assertThat(run("deploy", "--descriptor")).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("deployctl: Missing required parameter for option '--descriptor'",
                "run 'deployctl deploy --help' for the options");
    }

    @Test
    void anInvalidOverrideCannotRunAndNamesTheFix(@TempDir Path dir) throws Exception {
        int code = run("deploy", "--descriptor", DescriptorFileTest.sample().toString(), "--set", "image.sidecar=x:1");

        assertThat(code).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("deployctl: --set image.sidecar: the pod has no container 'sidecar'");
    }
}
