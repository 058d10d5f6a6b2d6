package io.bgdeploy.deployctl;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    @Test
    void everyOptionIsRead() throws Exception {
        Options o = Options.parse(List.of("deploy", "--descriptor", "app.json", "--namespace", "test",
                "--bootstrap", "kafka:9092", "--requested-by", "ci-job-42", "--timeout", "15m",
                "--kafka-config", "/etc/kafka/client.properties"), Map.of());

        assertThat(o.descriptor()).isEqualTo(Path.of("app.json"));
        assertThat(o.namespace()).contains("test");
        assertThat(o.bootstrap()).isEqualTo("kafka:9092");
        assertThat(o.requestedBy()).isEqualTo("ci-job-42");
        assertThat(o.timeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(o.viaRest()).isEmpty();
        assertThat(o.kafkaConfig()).contains(Path.of("/etc/kafka/client.properties"));
        assertThat(o.verbose()).isFalse();
    }

    @Test
    void valuesMayFollowAnEqualsSign() throws Exception {
        Options o = Options.parse(List.of("deploy", "--descriptor=app.json", "--via-rest=http://deployer:8080/",
                "--token-file=/run/secrets/token", "--verbose"), Map.of());

        assertThat(o.viaRest()).contains(URI.create("http://deployer:8080"));
        assertThat(o.tokenFile()).contains(Path.of("/run/secrets/token"));
        assertThat(o.verbose()).isTrue();
    }

    @Test
    void defaultsComeFromTheEnvironmentWhereCiHasThem() throws Exception {
        Options o = Options.parse(List.of("deploy", "--descriptor", "app.json"),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092"));

        assertThat(o.bootstrap()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(o.namespace()).isEmpty();
        assertThat(o.requestedBy()).isEqualTo("deployctl");
        assertThat(o.timeout()).isEqualTo(Duration.ofMinutes(10));

        assertThat(Options.parse(List.of("deploy", "--descriptor", "a.json"), Map.of()).bootstrap())
                .isEqualTo("127.0.0.1:9092");
    }

    @Test
    void durationsAreWrittenAsPeopleWriteThem() throws Exception {
        assertThat(Options.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Options.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Options.duration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Options.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Options.duration("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(Options.duration("PT5M")).isEqualTo(Duration.ofMinutes(5));
        for (String bad : List.of("", "ten minutes", "10x", "m10", "10m junk", "0s", "PTxM")) {
            assertThatThrownBy(() -> Options.duration(bad)).as(bad).isInstanceOf(Options.UsageException.class)
                    .hasMessageContaining("--timeout");
        }
    }

    @Test
    void mistakesAreExplained() {
        assertUsage(List.of(), "no command given");
        assertUsage(List.of("undeploy"), "unknown command 'undeploy'");
        assertUsage(List.of("deploy"), "--descriptor FILE is required");
        assertUsage(List.of("deploy", "--descriptor"), "--descriptor needs a value");
        assertUsage(List.of("deploy", "--descriptor", "--namespace", "x"), "--descriptor needs a value");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--force"), "unknown option '--force'");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--namespace", "Prod_EU"), "is not a DNS label");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--via-rest", "deployer:8080"), "is not an http(s) URL");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--token-file", "t"), "only used with --via-rest");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--verbose=yes"), "--verbose takes no value");
        assertUsage(List.of("deploy", "--descriptor", "a.json", "--via-rest", "http://d:8080", "--kafka-config", "k.properties"),
                "--kafka-config is not used with --via-rest");
    }

    private static void assertUsage(List<String> args, String message) {
        assertThatThrownBy(() -> Options.parse(args, Map.of())).as(String.join(" ", args))
                .isInstanceOf(Options.UsageException.class).hasMessageContaining(message);
    }
}
