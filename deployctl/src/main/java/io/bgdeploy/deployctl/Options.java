package io.bgdeploy.deployctl;

import io.bgdeploy.events.Names;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code deployctl deploy}, parsed and checked. Options take their value as the
 * next argument or after {@code =}; defaults come from the environment where a CI job usually has
 * them ({@code KAFKA_BOOTSTRAP_SERVERS}).
 *
 * @param descriptor  the descriptor file (JSON, the reference deployer's format)
 * @param namespace   overrides the descriptor's namespace; how one descriptor is promoted
 * @param bootstrap   Kafka bootstrap servers
 * @param requestedBy who asks, shown in the deployment's history
 * @param timeout     how long to follow the deployment before giving up (exit 3)
 * @param viaRest     the deployer's base URL: deploy through its REST API instead of Kafka
 * @param tokenFile   file whose first non-empty line is the bearer token for the REST API
 * @param kafkaConfig Kafka client properties (TLS, SASL) added to the producer's and consumer's
 * @param verbose     also print the Kafka client's warnings
 */
public record Options(Path descriptor, Optional<String> namespace, String bootstrap, String requestedBy,
                      Duration timeout, Optional<URI> viaRest, Optional<Path> tokenFile, Optional<Path> kafkaConfig,
                      boolean verbose) {

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final String DEFAULT_REQUESTED_BY = "deployctl";

    public static final String USAGE = """
            usage: deployctl deploy --descriptor FILE [options]

            Asks the deployer to deploy the descriptor, follows the deployment and prints its phases.

            options:
              --descriptor FILE      descriptor JSON (the Amdatu Kubernetes Deployer's format)   required
              --namespace NS         deploy into NS instead of the descriptor's namespace
              --bootstrap HOST:PORT  Kafka bootstrap servers   (default: $KAFKA_BOOTSTRAP_SERVERS or 127.0.0.1:9092)
              --requested-by NAME    who asks, kept in the deployment's history   (default: deployctl)
              --timeout DURATION     give up after this long, e.g. 90s, 10m, 1h   (default: 10m)
              --via-rest URL         use the deployer's REST API at URL instead of Kafka, e.g. http://deployer:8080
              --token-file FILE      bearer token for --via-rest (first non-empty line of FILE)
              --kafka-config FILE    Kafka client properties for TLS or SASL, e.g. security.protocol=SASL_SSL
              --verbose              also print the Kafka client's warnings

            exit status: 0 DEPLOYED, 1 FAILURE (reason printed), 2 rejected (problems printed),
                         3 timed out, 4 could not run (arguments, descriptor file, Kafka or deployer unreachable)
            """;

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    public Options {
        Names.requirePresent(descriptor, "descriptor");
        Names.requirePresent(namespace, "namespace");
        Names.requireText(bootstrap, "bootstrap");
        Names.requireText(requestedBy, "requestedBy");
        Names.requirePresent(timeout, "timeout");
        Names.requirePresent(viaRest, "viaRest");
        Names.requirePresent(tokenFile, "tokenFile");
        Names.requirePresent(kafkaConfig, "kafkaConfig");
    }

    /** A command line that cannot be run; the message says what to change. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code deploy --descriptor f.json ...}.
     *
     * @param env the environment, for defaults
     */
    public static Options parse(List<String> args, Map<String, String> env) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("no command given: the only command is 'deploy'");
        }
        if (!"deploy".equals(args.get(0))) {
            throw new UsageException("unknown command '" + Names.printable(args.get(0)) + "': the only command is 'deploy'");
        }
        Path descriptor = null;
        String namespace = null;
        String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP);
        String requestedBy = DEFAULT_REQUESTED_BY;
        Duration timeout = DEFAULT_TIMEOUT;
        URI viaRest = null;
        Path tokenFile = null;
        Path kafkaConfig = null;
        boolean verbose = false;

        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            String name = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            if ("--verbose".equals(name)) {
                if (inlineValue != null) {
                    throw new UsageException("--verbose takes no value");
                }
                verbose = true;
                continue;
            }
            String value;
            if (inlineValue != null) {
                value = inlineValue;
            } else if (i + 1 < rest.size() && isKnown(name) && !rest.get(i + 1).startsWith("--")) {
                value = rest.get(++i);
            } else if (isKnown(name)) {
                throw new UsageException(name + " needs a value");
            } else {
                throw new UsageException("unknown option '" + Names.printable(arg) + "'");
            }
            switch (name) {
                case "--descriptor" -> descriptor = Path.of(nonEmpty(name, value));
                case "--namespace" -> namespace = namespace(value);
                case "--bootstrap" -> bootstrap = nonEmpty(name, value);
                case "--requested-by" -> requestedBy = nonEmpty(name, value);
                case "--timeout" -> timeout = duration(value);
                case "--via-rest" -> viaRest = baseUrl(value);
                case "--token-file" -> tokenFile = Path.of(nonEmpty(name, value));
                case "--kafka-config" -> kafkaConfig = Path.of(nonEmpty(name, value));
                default -> throw new UsageException("unknown option '" + Names.printable(arg) + "'");
            }
        }
        if (descriptor == null) {
            throw new UsageException("--descriptor FILE is required");
        }
        if (tokenFile != null && viaRest == null) {
            throw new UsageException("--token-file is only used with --via-rest: Kafka requests carry no token");
        }
        if (kafkaConfig != null && viaRest != null) {
            throw new UsageException("--kafka-config is not used with --via-rest: the REST API is called over HTTP");
        }
        return new Options(descriptor, Optional.ofNullable(namespace), bootstrap, requestedBy, timeout,
                Optional.ofNullable(viaRest), Optional.ofNullable(tokenFile), Optional.ofNullable(kafkaConfig), verbose);
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "--descriptor", "--namespace", "--bootstrap", "--requested-by", "--timeout", "--via-rest",
                 "--token-file", "--kafka-config" -> true;
            default -> false;
        };
    }

    private static String nonEmpty(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a non-empty value");
        }
        return value;
    }

    private static String namespace(String value) throws UsageException {
        if (!Names.isNamespace(value)) {
            throw new UsageException("--namespace '" + Names.printable(value)
                    + "' is not a DNS label: use lower-case letters, digits and '-', starting with a letter");
        }
        return value;
    }

    /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h30m}, a plain number of seconds, or ISO-8601 {@code PT10M}. */
    static Duration duration(String value) throws UsageException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        if (v.matches("\\d+")) {
            d = Duration.ofSeconds(Long.parseLong(v));
        } else if (v.startsWith("pt")) {
            try {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw badDuration(value);
            }
        } else {
            Matcher m = SIMPLE_DURATION.matcher(v);
            d = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                end = m.end();
            }
            if (end == 0 || end != v.length()) {
                throw badDuration(value);
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new UsageException("--timeout must be longer than zero");
        }
        return d;
    }

    private static UsageException badDuration(String value) {
        return new UsageException("--timeout '" + Names.printable(value)
                + "' is not a duration: use e.g. 90s, 10m, 1h30m or PT10M");
    }

    private static URI baseUrl(String value) throws UsageException {
        URI uri;
        try {
            uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--via-rest '" + Names.printable(value) + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new UsageException("--via-rest '" + Names.printable(value)
                    + "' is not an http(s) URL: use the deployer's base URL, e.g. http://deployer:8080");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new UsageException("--via-rest takes the deployer's base URL without query or fragment");
        }
        return uri;
    }
}
