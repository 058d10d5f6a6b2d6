package io.bgdeploy.deployctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code deployctl}: what a CI job runs to deploy, and what an operator runs to look and act.
 * Progress goes to standard output (standard error with {@code --output json}), problems to
 * standard error; the exit status says how it ended (see {@link Outcome}).
 */
@Command(name = "deployctl", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, usageHelpAutoWidth = true,
        description = "Blue-green deployments with bgdeploy, from CI or a terminal.",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {"Exit status (every command):",
                "  0  done: DEPLOYED, rolled back, undeployed, or a version serves (status)",
                "  1  the deployment ended in FAILURE (the old version kept serving); status: no version serves",
                "  2  rejected: invalid descriptor, version already deployed, token not allowed, unknown app or deployment",
                "  3  no outcome within --timeout; the deployment goes on in the deployer",
                "  4  could not run: arguments, files, Kafka or the deployer unreachable",
                "",
                "Environment: KAFKA_BOOTSTRAP_SERVERS, DEPLOYER_URL, DEPLOYCTL_TOKEN (the REST API's bearer token)."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        quietKafkaLogging(args.contains("--verbose"));
        return commandLine(new Terminal(env, out, err)).execute(args.toArray(String[]::new));
    }

    static CommandLine commandLine(Terminal terminal) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand(new DeployCommand(terminal));
        cl.addSubcommand(new StatusCommand(terminal));
        cl.addSubcommand(new HistoryCommand(terminal));
        cl.addSubcommand(new RollbackCommand(terminal));
        cl.addSubcommand(new UndeployCommand(terminal));
        cl.addSubcommand(new WatchCommand(terminal));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(terminal.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(terminal.err(), true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((e, args) -> {
            terminal.err().println("deployctl: " + e.getMessage());
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            terminal.err().println("run '" + command + " --help' for the options");
            return Outcome.CANNOT_RUN;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            terminal.err().println("deployctl: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return Outcome.CANNOT_RUN;
        });
        return cl;
    }

    /** {@code deployctl} alone: the usage, and exit status 4. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Outcome.CANNOT_RUN;
    }

    /** The version Maven wrote into deployctl-version.properties when it built the jar. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/deployctl-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"deployctl " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
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
