package io.bgdeploy.deployctl;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line as picocli reads it: options, defaults from the environment, and explained mistakes. */
class CommandLineTest {

    private static final Terminal TERMINAL = new Terminal(Map.of(), System.out, System.err);

    /** The deploy command with its options read from {@code args}, as deployctl would run it. */
    static DeployCommand deploy(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(new Terminal(env, System.out, System.err));
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        return (DeployCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void everyOptionIsRead() {
        DeployCommand o = deploy(Map.of(), "deploy", "--descriptor", "app.json", "--namespace", "test",
                "--bootstrap", "kafka:9092", "--requested-by", "ci-job-42", "--timeout", "15m",
                "--kafka-config", "/etc/kafka/client.properties", "--set", "image=registry.example.com/web:2",
                "--set", "replicas=3", "-o", "json");

        assertThat(o.descriptor).isEqualTo(Path.of("app.json"));
        assertThat(o.namespace).isEqualTo("test");
        assertThat(o.kafka.bootstrap(TERMINAL)).isEqualTo("kafka:9092");
        assertThat(o.requestedBy).isEqualTo("ci-job-42");
        assertThat(o.timeout).isEqualTo(Duration.ofMinutes(15));
        assertThat(o.viaRest).isNull();
        assertThat(o.kafka.kafkaConfig).isEqualTo(Path.of("/etc/kafka/client.properties"));
        assertThat(o.overrides).containsExactly("image=registry.example.com/web:2", "replicas=3");
        assertThat(o.output.format).isEqualTo(OutputOption.Format.JSON);
        assertThat(o.output.verbose).isFalse();
    }

    @Test
    void valuesMayFollowAnEqualsSignAndShortNamesWork() {
        DeployCommand o = deploy(Map.of(), "deploy", "-f=app.json", "--via-rest=http://deployer:8080/",
                "--token-file=/run/secrets/token", "--verbose");

        assertThat(o.descriptor).isEqualTo(Path.of("app.json"));
        assertThat(o.viaRest).isEqualTo(URI.create("http://deployer:8080"));
        assertThat(o.tokenFile).isEqualTo(Path.of("/run/secrets/token"));
        assertThat(o.output.verbose).isTrue();
    }

    @Test
    void defaultsComeFromTheEnvironmentWhereCiHasThem() {
        DeployCommand o = deploy(Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092"), "deploy", "-f", "app.json");
        Terminal ci = new Terminal(Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092"), System.out, System.err);

        assertThat(o.kafka.bootstrap(ci)).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(o.namespace).isNull();
        assertThat(o.requestedBy).isEqualTo("deployctl");
        assertThat(o.timeout).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.output.format).isEqualTo(OutputOption.Format.TEXT);
        assertThat(deploy(Map.of(), "deploy", "-f", "a.json").kafka.bootstrap(TERMINAL)).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void durationsAreWrittenAsPeopleWriteThem() {
        Converters.DurationConverter d = new Converters.DurationConverter();
        assertThat(d.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(d.convert("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(d.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(d.convert("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(d.convert("PT5M")).isEqualTo(Duration.ofMinutes(5));
        for (String bad : List.of("", "ten minutes", "10x", "m10", "10m junk", "0s", "PTxM")) {
            assertThatThrownBy(() -> d.convert(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class);
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mistakesAreExplainedAndExitFour() {
        assertMistake(List.of("undeploy"), "Missing required parameter: 'APP'");
        assertMistake(List.of("promote"), "Unmatched argument at index 0: 'promote'");
        assertMistake(List.of("deploy"), "Missing required option: '--descriptor=FILE'");
        assertMistake(List.of("deploy", "--descriptor"), "Missing required parameter for option '--descriptor' (FILE)");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--force"), "Unknown option: '--force'");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--namespace", "Prod_EU"), "is not a DNS label");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--via-rest", "deployer:8080"), "is not an http(s) URL");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--timeout", "soon"), "is not a duration");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--token-file", "t"), "only used with --via-rest");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--output", "yaml"), "Invalid value for option '--output'");
        assertMistake(List.of("deploy", "--descriptor", "a.json", "--via-rest", "http://d:8080", "--kafka-config", "k.properties"),
                "not used with --via-rest");
        assertMistake(List.of("status", "web"), "the deployer's URL is needed: --deployer http://deployer:8080 or $DEPLOYER_URL");
        assertMistake(List.of("status", "Web_App", "--deployer", "http://d:8080"), "is not an app name");
        Run none = run();
        assertThat(none.exitCode()).as("no command").isEqualTo(Outcome.CANNOT_RUN);
        assertThat(none.err()).contains("Usage: deployctl");
    }

    private static void assertMistake(List<String> args, String message) {
        Run r = run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(r.err()).as(String.join(" ", args)).startsWith("deployctl: ").contains(message)
                .contains("--help' for the options");
    }

    @Test
    void helpVersionAndExitCodesAreDocumented() {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("deploy", "status", "history", "rollback", "undeploy", "watch",
                "0  done: DEPLOYED", "4  could not run", "DEPLOYCTL_TOKEN");
        Run deployHelp = run("deploy", "--help");
        assertThat(deployHelp.out()).contains("--set=KEY=VALUE", "--via-rest=URL", "-o, --output=FORMAT");

        Run version = run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).matches("deployctl \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .*\\)\\s*");
    }
}
