package io.bgdeploy.deployctl;

import io.bgdeploy.events.deploy.Descriptor;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code deployctl deploy --descriptor app.json}: what a CI job runs to deploy. Progress goes to
 * standard output, problems reading records or reaching servers to standard error; the exit status
 * says how it ended (see {@link Outcome}).
 */
public final class Main {

    private static final Duration REST_POLL_INTERVAL = Duration.ofSeconds(1);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h") || "help".equals(args.get(0))) {
            out.print(Options.USAGE);
            return args.isEmpty() ? Outcome.CANNOT_RUN : Outcome.DEPLOYED;
        }
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (Options.UsageException e) {
            err.println("deployctl: " + e.getMessage());
            err.println("run 'deployctl --help' for the options");
            return Outcome.CANNOT_RUN;
        }
        quietKafkaLogging(options.verbose());
        Outcome outcome = deploy(options, out, err);
        if (outcome.exitCode() == Outcome.CANNOT_RUN) {
            err.println("deployctl: " + outcome.summary());
        }
        out.flush();
        return outcome.exitCode();
    }

    static Outcome deploy(Options options, PrintStream out, PrintStream err) {
        Descriptor descriptor;
        try {
            descriptor = DescriptorFile.read(options.descriptor(), options.namespace());
        } catch (DescriptorFile.UnreadableException e) {
            return Outcome.cannotRun(e.getMessage());
        }
        List<String> problems = DescriptorFile.problems(descriptor);
        if (!problems.isEmpty()) {
            out.println("REJECTED before sending: " + options.descriptor() + " has " + problems.size() + " problem(s)");
            problems.forEach(p -> out.println("  - " + p));
            return Outcome.rejected("the descriptor has " + problems.size() + " problem(s)");
        }
        if (options.viaRest().isPresent()) {
            Optional<String> token;
            try {
                token = options.tokenFile().map(Main::readToken);
            } catch (IllegalArgumentException e) {
                return Outcome.cannotRun(e.getMessage());
            }
            return new RestDeploy(options.viaRest().get(), token, REST_POLL_INTERVAL, out::println, err::println)
                    .deploy(descriptor, options.timeout());
        }
        Properties kafkaConfig = new Properties();
        if (options.kafkaConfig().isPresent()) {
            try (Reader r = Files.newBufferedReader(options.kafkaConfig().get(), StandardCharsets.UTF_8)) {
                kafkaConfig.load(r);
            } catch (IOException e) {
                return Outcome.cannotRun("Kafka client properties " + options.kafkaConfig().get() + " cannot be read: "
                        + e.getMessage());
            }
        }
        return new KafkaDeploy(options.bootstrap(), kafkaConfig, out::println, err::println)
                .deploy(descriptor, options.requestedBy(), options.timeout());
    }

    /** The first non-empty line of the token file. */
    static String readToken(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("token file " + file + " is empty"));
        } catch (IOException e) {
            throw new IllegalArgumentException("token file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * The Kafka client logs every connection attempt; a CI log should show the deployment, so
     * its logging is off unless {@code --verbose}. Must run before the first Kafka class loads.
     */
    private static void quietKafkaLogging(boolean verbose) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "warn" : "off");
        }
    }
}
