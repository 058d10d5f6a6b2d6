package io.bgdeploy.infra;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.events.signing.SigningKeys;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole suite on one machine: Kafka (KRaft), etcd, lb-config-service, two HAProxy agents
 * (lb-agent, each running its own HAProxy in master-worker mode; both HAProxies listen on the one
 * public port, as two HAProxy pods serve behind one Service), health-service, log-shipper shipping over GELF
 * HTTP to a {@link GelfFileReceiver} standing in for Graylog, and the deployer on the local platform.
 * Used by the local run and
 * by the end-to-end tests, so both exercise the same wiring.
 */
public final class Suite implements AutoCloseable {

    public static final String DEPLOYER = "deployer-service";
    public static final String LB_CONFIG = "lb-config-service";
    public static final String LB_AGENT = "lb-agent";
    /**
     * The second HAProxy agent, a process of module {@link #LB_AGENT} with its own HAProxy, stats port,
     * master socket and files, its HAProxy bound to the same public address and port as the first
     * (Linux SO_REUSEPORT, which HAProxy sets on every listener): the kernel spreads new connections
     * over both, and one HAProxy that dies leaves the other accepting.
     */
    public static final String LB_AGENT_2 = "lb-agent-2";
    /** The services that run an HAProxy agent, first the one the suite's figures and faults use. */
    public static final List<String> AGENTS = List.of(LB_AGENT, LB_AGENT_2);
    public static final String HEALTH = "health-service";
    public static final String LOG_SHIPPER = "log-shipper";
    /** The id of the key that signs deploy requests for namespace {@code default} in the suite. */
    public static final String SIGNING_KEY_ID = "default/local-run";

    /** Ports and places; {@link #defaults} for the local run, {@link #freePorts} for tests. */
    public record Options(Path root, Path workDir, int kafkaPort, int kafkaControllerPort, int etcdPort,
                          int etcdPeerPort, int lbPublicPort, Map<String, Integer> lbStatsPorts, int gelfPort,
                          Map<String, Integer> servicePorts) {

        public static Options defaults(Path root, Path workDir) {
            return new Options(root, workDir, 9092, 9093, 2379, 2380, 8000, Map.of(LB_AGENT, 8404, LB_AGENT_2, 8405),
                    12201, Map.of(DEPLOYER, 8080, LB_CONFIG, 8081, HEALTH, 8082, LOG_SHIPPER, 8083, LB_AGENT, 8084,
                            LB_AGENT_2, 8085));
        }

        public static Options freePorts(Path root, Path workDir) {
            return new Options(root, workDir, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    FreePorts.next(), Map.of(LB_AGENT, FreePorts.next(), LB_AGENT_2, FreePorts.next()), FreePorts.next(),
                    Map.of(DEPLOYER, FreePorts.next(), LB_CONFIG, FreePorts.next(), HEALTH, FreePorts.next(),
                            LOG_SHIPPER, FreePorts.next(), LB_AGENT, FreePorts.next(), LB_AGENT_2, FreePorts.next()));
        }
    }

    private final Options options;
    private final PrintStream progress;
    private final long started = System.nanoTime();
    private KafkaBroker kafka;
    private EtcdServer etcd;
    private GelfFileReceiver gelf;
    private SocketDirectory sockets;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> extraSettings;
    private String token;
    private SigningKey signingKey;

    private Suite(Options options, PrintStream progress, Map<String, Map<String, String>> extraSettings) {
        this.options = options;
        this.progress = progress;
        this.extraSettings = extraSettings;
    }

    /**
     * Starts everything and waits until every service is ready.
     *
     * @param extraSettings per module, settings that override the suite's (tests shorten delays)
     */
    public static Suite start(Options options, PrintStream progress, Map<String, Map<String, String>> extraSettings) {
        Suite suite = new Suite(options, progress, extraSettings);
        try {
            suite.startAll();
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(options.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        token = writeToken();
        signingKey = writeSigningKey();
        sockets = SocketDirectory.create("suite");
        step("kafka", "starting a KRaft broker on 127.0.0.1:" + options.kafkaPort());
        step("etcd", "starting on 127.0.0.1:" + options.etcdPort());
        CompletableFuture<KafkaBroker> k = CompletableFuture.supplyAsync(() -> KafkaBroker.start(
                options.workDir().resolve("kafka"), options.kafkaPort(), options.kafkaControllerPort()));
        CompletableFuture<EtcdServer> e = CompletableFuture.supplyAsync(() -> EtcdServer.start(
                options.workDir().resolve("etcd"), options.etcdPort(), options.etcdPeerPort()));
        etcd = e.join();
        step("etcd", "ready at " + etcd.endpoint());
        kafka = k.join();
        List<String> topics = new ArrayList<>(Topics.ALL);
        Topics.ALL.forEach(t -> topics.add(t + Topics.DLQ_SUFFIX));
        // log lines up to 1 MB must fit (log-shipper truncates them for GELF, not Kafka)
        Map<String, String> large = Map.of("max.message.bytes", String.valueOf(5 * 1024 * 1024));
        kafka.createTopics(topics, 4, Map.of(Topics.CONTAINER_LOGS, large, Topics.CONTAINER_LOGS_DLQ, large));
        step("kafka", "ready at " + kafka.bootstrapServers() + " with the suite's " + topics.size() + " topics");

        gelf = GelfFileReceiver.start(options.gelfPort(), 0, options.gelfPort(), gelfFile());
        step("graylog", "stand-in receiving GELF at " + gelf.httpUrl() + " (and " + gelf.udpUrl() + "), writing to "
                + gelfFile());

        Path logs = options.workDir().resolve("logs");
        for (String service : List.of(LB_AGENT, LB_AGENT_2, LB_CONFIG, HEALTH, LOG_SHIPPER, DEPLOYER)) {
            Map<String, String> settings = new LinkedHashMap<>(settingsFor(service));
            settings.putAll(extraSettings.getOrDefault(moduleOf(service), Map.of()));
            step(service, "starting on port " + options.servicePorts().get(service)
                    + (AGENTS.contains(service) ? ", its HAProxy on " + publicUrl() + " (stats " + statsUrl(service) + ")" : ""));
            services.put(service, ServiceProcess.launchAs(service, options.root(), moduleOf(service),
                    options.servicePorts().get(service), settings, logs));
        }
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (ServiceProcess s : services.values()) {
            ready.add(CompletableFuture.runAsync(() -> {
                s.awaitReady();
                step(s.name(), "ready at " + s.url("/"));
            }));
        }
        ready.forEach(CompletableFuture::join);
    }

    /**
     * Starts one more HAProxy agent with its own HAProxy on {@code host}: a second load balancer that
     * takes part in every switch like the first, its HAProxy answering at {@code host.address()} on
     * {@code publicPort}. Its files are under {@code dir}; the caller stops it.
     */
    public ServiceProcess startAgentOn(IsolatedHost host, String agentId, Path dir, int publicPort, int statsPort,
                                       int httpPort) {
        Map<String, String> settings = new LinkedHashMap<>(settingsFor(LB_AGENT));
        settings.putAll(agentSettings(agentId, dir, host.address(), publicPort, statsPort));
        settings.putAll(extraSettings.getOrDefault(LB_AGENT, Map.of()));
        step(LB_AGENT, agentId + " starting on " + host.address() + ":" + httpPort + " in network namespace "
                + host.namespace());
        return ServiceProcess.launchOn(host, options.root(), LB_AGENT, httpPort, settings,
                options.workDir().resolve("logs"));
    }

    /** The module a service of the suite runs: {@link #LB_AGENT_2} is a second {@link #LB_AGENT}. */
    private static String moduleOf(String service) {
        return service.equals(LB_AGENT_2) ? LB_AGENT : service;
    }

    private Map<String, String> settingsFor(String service) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap.servers", "127.0.0.1:" + options.kafkaPort());
        s.put("bgdeploy.etcd.endpoints", "http://127.0.0.1:" + options.etcdPort());
        Path dir = options.workDir().resolve(service);
        switch (service) {
            case LB_CONFIG -> {
                s.put("lbconfig.auth.token-file", tokenFile().toString());
                // a switch waits for both agents, also before the second has registered once
                s.put("lbconfig.min-agents", String.valueOf(AGENTS.size()));
            }
            case LB_AGENT, LB_AGENT_2 -> s.putAll(agentSettings(agentId(service), dir, "127.0.0.1",
                    options.lbPublicPort(), options.lbStatsPorts().get(service)));
            case LOG_SHIPPER -> s.put("graylog.gelf.url", gelf.httpUrl());
            case DEPLOYER -> {
                s.put("deployer.platform", "local");
                s.put("deployer.auth.token-file", tokenFile().toString());
                s.put("deployer.signing.keys-file", signingKeysFile().toString());
                s.put("deployer.local.state-dir", dir.resolve("pods").toString());
                s.put("deployer.local.stop-pods-on-shutdown", "true");
                s.put("ui.public-url", publicUrl() + "/");
                s.put("ui.health-dashboard-url", "http://127.0.0.1:" + options.servicePorts().get(HEALTH) + "/");
            }
            default -> {
            }
        }
        return s;
    }

    /**
     * An agent that starts its own HAProxy: its id, files under {@code dir}, its own master socket and
     * stats port, HAProxy's public listener on {@code address:publicPort}.
     */
    private Map<String, String> agentSettings(String agentId, Path dir, String address, int publicPort, int statsPort) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("lbagent.id", agentId);
        s.put("lbagent.haproxy.start", "true");
        s.put("lbagent.haproxy.config-file", haproxyConfigFile(dir).toString());
        s.put("lbagent.haproxy.master-socket", sockets.socket("haproxy-master-" + agentId + ".sock").toString());
        s.put("lbagent.haproxy.public-address", address);
        s.put("lbagent.haproxy.public-port", String.valueOf(publicPort));
        s.put("lbagent.haproxy.stats-address", address);
        s.put("lbagent.haproxy.stats-port", String.valueOf(statsPort));
        return s;
    }

    private static Path haproxyConfigFile(Path agentDir) {
        return agentDir.resolve("haproxy.cfg");
    }

    /** The id under which the agent of {@code agentService} registers with lb-config-service. */
    public static String agentId(String agentService) {
        return agentService.equals(LB_AGENT) ? "haproxy-local" : "haproxy-local-2";
    }

    /**
     * The configuration file of the HAProxy that the agent of {@code agentService} runs; its HAProxy
     * processes name it on their command line.
     */
    public Path haproxyConfigFile(String agentService) {
        return haproxyConfigFile(options.workDir().resolve(agentService));
    }

    /** The API token, generated once into {@link #tokenFile()} and kept across runs. */
    private String writeToken() {
        Path file = tokenFile();
        try {
            if (!Files.exists(file)) {
                writeSecret(file, HexFormat.of().formatHex(randomBytes(24)) + "\n");
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API token to " + file, e);
        }
    }

    /**
     * The key that signs deploy requests on Kafka for namespace {@code default}, generated once into
     * {@link #signingKeysFile()} and kept across runs.
     */
    private SigningKey writeSigningKey() {
        Path file = signingKeysFile();
        try {
            if (!Files.exists(file)) {
                writeSecret(file, "# The deployer's keys for signed deploy requests on Kafka, and deployctl's:\n"
                        + "#   deployctl deploy --signing-key-file " + file + " ...\n"
                        + SIGNING_KEY_ID + "=" + Base64.getEncoder().encodeToString(randomBytes(32)) + "\n");
            }
            return SigningKeys.read(file).find(SIGNING_KEY_ID).orElseThrow(() -> new IllegalStateException(
                    file + " has no key " + SIGNING_KEY_ID + ": delete the file and start again"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the signing key to " + file, e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Creates a file that only its owner can read, from its first byte on. */
    private static void writeSecret(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private void step(String what, String message) {
        if (progress != null) {
            double s = (System.nanoTime() - started) / 1e9;
            progress.printf("[%6.1fs] %-18s %s%n", s, what, message);
        }
    }

    public Options options() {
        return options;
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public EtcdServer etcd() {
        return etcd;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public ServiceProcess service(String module) {
        return services.get(module);
    }

    public Map<String, ServiceProcess> services() {
        return services;
    }

    /** The deployer API token (all namespaces) the suite generated. */
    public String token() {
        return token;
    }

    public Path tokenFile() {
        return options.workDir().resolve("api-token");
    }

    /** The key that signs deploy requests on Kafka for namespace {@code default}. */
    public SigningKey signingKey() {
        return signingKey;
    }

    /** The deployer's signing keys: one line {@code default/local-run=<base64 key>}. */
    public Path signingKeysFile() {
        return options.workDir().resolve("signing-keys.properties");
    }

    /** Where the GELF receiver standing in for Graylog writes every message it receives, one JSON per line. */
    public Path gelfFile() {
        return options.workDir().resolve("graylog-gelf.jsonl");
    }

    public String publicUrl() {
        return "http://127.0.0.1:" + options.lbPublicPort();
    }

    /** The stats page of the HAProxy that the agent of {@code agentService} runs. */
    public String statsUrl(String agentService) {
        return "http://127.0.0.1:" + options.lbStatsPorts().get(agentService) + "/stats";
    }

    /** Stops the services (deployer first, so it stops its pods), then etcd and Kafka; removes the sockets. */
    @Override
    public void close() {
        List<String> order = new ArrayList<>(services.keySet());
        Collections.reverse(order);
        for (String module : order) {
            step(module, "stopping");
            services.get(module).process().stop(Duration.ofSeconds(20));
        }
        if (gelf != null) {
            try {
                gelf.close();
            } catch (IOException e) {
                step("graylog", "stand-in did not close cleanly: " + e.getMessage());
            }
        }
        if (etcd != null) {
            step("etcd", "stopping");
            etcd.close();
        }
        if (kafka != null) {
            step("kafka", "stopping");
            kafka.close();
        }
        if (sockets != null) {
            sockets.close();
        }
    }
}
