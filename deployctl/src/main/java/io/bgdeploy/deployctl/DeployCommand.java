package io.bgdeploy.deployctl;

import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.signing.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code deployctl deploy}: asks for a deployment of a descriptor and follows it to its end. */
@Command(name = "deploy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Asks the deployer to deploy the descriptor, follows the deployment and prints its phases.",
                "Over Kafka (deploy-requests, deploy-events) unless --via-rest is given."},
        footer = {"", "Example:",
                "  deployctl deploy -f descriptor.json --namespace test --set image=registry.example.com/web:$GIT_SHA --timeout 10m"})
final class DeployCommand implements Callable<Integer> {

    private static final Duration REST_POLL_INTERVAL = Duration.ofSeconds(1);
    static final String SIGNING_KEY_VARIABLE = "DEPLOYCTL_SIGNING_KEY";

    private final Terminal terminal;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--descriptor"}, paramLabel = "FILE", required = true,
            description = "Descriptor JSON (the Amdatu Kubernetes Deployer's format).")
    Path descriptor;

    @Option(names = "--namespace", paramLabel = "NS", converter = Converters.NamespaceConverter.class,
            description = "Deploy into NS instead of the descriptor's namespace (promotion).")
    String namespace;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = {"Changes the descriptor before it is sent, instead of sed in a CI script; repeatable:",
                    "image=REF (the only container), image.<container>=REF, env.<NAME>=VALUE,",
                    "or a field: newVersion=7, replicas=3, frontend=web.test.example.com, ..."})
    List<String> overrides = new ArrayList<>();

    @Option(names = "--requested-by", paramLabel = "NAME", defaultValue = "deployctl",
            description = "Who asks, kept in the deployment's history (e.g. the CI job's URL). Default: ${DEFAULT-VALUE}")
    String requestedBy;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Converters.DurationConverter.class,
            description = "Give up after this long (90s, 10m, 1h30m, PT10M); the deployment goes on. Default: ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--via-rest", paramLabel = "URL", converter = Converters.BaseUrlConverter.class,
            description = "Use the deployer's REST API at URL instead of Kafka, e.g. http://deployer:8080.")
    URI viaRest;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Bearer token for --via-rest: the file's first non-empty line. Default: $" + DeployerOptions.TOKEN_VARIABLE)
    Path tokenFile;

    @Option(names = "--signing-key-file", paramLabel = "FILE",
            description = {"The key that signs the Kafka request: a line <namespace>/<name>=<base64 key>, as registered",
                    "with the deployer. Default: such a line in $" + SIGNING_KEY_VARIABLE + "."})
    Path signingKeyFile;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    OutputOption output;

    DeployCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        if (tokenFile != null && viaRest == null) {
            throw new ParameterException(spec.commandLine(), "--token-file is only used with --via-rest: Kafka requests carry no token");
        }
        if ((kafka.kafkaConfig != null || kafka.bootstrap != null) && viaRest != null) {
            throw new ParameterException(spec.commandLine(), "--bootstrap and --kafka-config are not used with --via-rest:"
                    + " the REST API is called over HTTP");
        }
        Printer printer = output.printer(terminal);
        return printer.end(deploy(printer));
    }

    private Outcome deploy(Printer printer) {
        Descriptor d;
        try {
            d = DescriptorFile.read(descriptor, Optional.ofNullable(namespace), overrides);
        } catch (DescriptorFile.UnreadableException e) {
            return Outcome.cannotRun(e.getMessage());
        }
        List<String> problems = DescriptorFile.problems(d);
        if (!problems.isEmpty()) {
            printer.progress().accept("REJECTED before sending: " + descriptor + " has " + problems.size() + " problem(s)");
            problems.forEach(p -> printer.progress().accept("  - " + p));
            return Outcome.rejected("the descriptor has " + problems.size() + " problem(s)").with("problems", problems);
        }
        if (viaRest != null) {
            Optional<String> token;
            try {
                token = tokenFile != null ? Optional.of(DeployerOptions.readToken(tokenFile))
                        : Optional.ofNullable(terminal.env(DeployerOptions.TOKEN_VARIABLE, null)).map(String::strip);
            } catch (IOException e) {
                return Outcome.cannotRun("token file " + tokenFile + " cannot be read: " + e.getMessage());
            }
            return new RestDeploy(viaRest, token, REST_POLL_INTERVAL, printer.progress(), printer.warnings())
                    .deploy(d, timeout);
        }
        Properties clientConfig;
        try {
            clientConfig = kafka.clientConfig();
        } catch (IOException e) {
            return Outcome.cannotRun(e.getMessage());
        }
        Optional<SigningKey> key;
        try {
            key = signingKey();
        } catch (IOException | IllegalArgumentException e) {
            return Outcome.cannotRun("signing key: " + e.getMessage());
        }
        if (key.isPresent() && !key.get().namespace().equals(d.namespace())) {
            return Outcome.cannotRun("signing key " + key.get().id() + " is for namespace " + key.get().namespace()
                    + ", the request deploys to " + d.namespace() + ": use that namespace's key");
        }
        return new KafkaDeploy(kafka.bootstrap(terminal), clientConfig, key, printer.progress(), printer.warnings())
                .deploy(d, requestedBy, timeout);
    }

    /** The key from --signing-key-file or the environment, as a line {@code <namespace>/<name>=<base64>}. */
    private Optional<SigningKey> signingKey() throws IOException {
        String line = signingKeyFile != null
                ? Files.readAllLines(signingKeyFile, StandardCharsets.UTF_8).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                        .orElseThrow(() -> new IOException(signingKeyFile + " holds no key"))
                : terminal.env(SIGNING_KEY_VARIABLE, null);
        if (line == null) {
            return Optional.empty();
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("the key is not a line <namespace>/<name>=<base64 key>");
        }
        return Optional.of(SigningKey.of(line.substring(0, eq).strip(), line.substring(eq + 1).strip()));
    }
}
