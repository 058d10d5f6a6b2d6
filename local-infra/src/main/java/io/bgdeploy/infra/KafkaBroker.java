package io.bgdeploy.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), started in
 * a child JVM from the {@code org.apache.kafka:kafka_2.13} artifacts at the version of the
 * kafka-clients the services use. No ZooKeeper, no Docker.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String CLASSPATH_RESOURCE = "/io/bgdeploy/infra/kafka-server.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final int port;
    private final int controllerPort;
    private final int saslPort;
    private final Path workDir;
    private final ManagedProcess process;

    private KafkaBroker(int port, int controllerPort, int saslPort, Path workDir, ManagedProcess process) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.saslPort = saslPort;
        this.workDir = workDir;
        this.process = process;
    }

    /** Starts a broker on free ports, its data under {@code workDir}. */
    public static KafkaBroker start(Path workDir) {
        return start(workDir, FreePorts.next(), FreePorts.next());
    }

    /** Starts a broker on the given ports (the local run uses 9092). */
    public static KafkaBroker start(Path workDir, int port, int controllerPort) {
        return start(workDir, port, controllerPort, 0, Map.of());
    }

    /**
     * Starts a broker that also takes clients on a second port, {@link #saslBootstrapServers()},
     * only after they authenticated with SASL/PLAIN as one of {@code users} (name to password), as
     * a production cluster asks its clients to. The first port stays open for the tests' own clients.
     */
    public static KafkaBroker startWithSaslPlain(Path workDir, Map<String, String> users) {
        return start(workDir, FreePorts.next(), FreePorts.next(), FreePorts.next(), users);
    }

    private static KafkaBroker start(Path workDir, int port, int controllerPort, int saslPort, Map<String, String> saslUsers) {
        try {
            Files.createDirectories(workDir);
            Path dataDir = workDir.resolve("data");
            Path config = workDir.resolve("server.properties");
            writeConfig(config, dataDir, port, controllerPort, saslPort, saslUsers);
            String classpath = serverClasspath();
            String java = javaBinary();
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(java, classpath, config, workDir);
            }
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(JvmProfile.chosen().brokerOptions());
            cmd.addAll(List.of("-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + writeLogConfig(workDir),
                    "-cp", classpath, "kafka.Kafka", config.toString()));
            ManagedProcess process = ManagedProcess.start("kafka", cmd, Map.of(), workDir, workDir.resolve("kafka.log"));
            KafkaBroker broker = new KafkaBroker(port, controllerPort, saslPort, workDir, process);
            process.awaitReady(broker::isServing, START_TIMEOUT, "accepting client requests on port " + port);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka in " + workDir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The SASL/PLAIN listener of {@link #startWithSaslPlain}. */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener: start it with startWithSaslPlain");
        }
        return "127.0.0.1:" + saslPort;
    }

    public Path workDir() {
        return workDir;
    }

    public ManagedProcess process() {
        return process;
    }

    /** The broker answers metadata requests (not merely an open port). */
    public boolean isServing() {
        if (!ManagedProcess.isListening(port)) {
            return false;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("request.timeout.ms", "2000");
        p.put("default.api.timeout.ms", "3000");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Creates the topics that do not exist yet, each with {@code partitions} partitions. */
    public void createTopics(java.util.Collection<String> names, int partitions) {
        createTopics(names, partitions, Map.of());
    }

    /** As {@link #createTopics(java.util.Collection, int)}, with topic settings by topic name. */
    public void createTopics(java.util.Collection<String> names, int partitions, Map<String, Map<String, String>> configs) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            var missing = names.stream().filter(n -> !existing.contains(n))
                    .map(n -> new org.apache.kafka.clients.admin.NewTopic(n, partitions, (short) 1)
                            .configs(configs.getOrDefault(n, Map.of()))).toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + names + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    private static void writeConfig(Path config, Path dataDir, int port, int controllerPort, int saslPort,
                                    Map<String, String> saslUsers) throws IOException {
        String sasl = saslPort == 0 ? "" : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        StringBuilder users = new StringBuilder();
        saslUsers.forEach((user, password) -> users.append(" user_").append(user).append("=\"").append(password).append('"'));
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + sasl + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + sasl,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                saslPort == 0 ? "" : "sasl.enabled.mechanisms=PLAIN",
                saslPort == 0 ? "" : "listener.name.sasl_plaintext.plain.sasl.jaas.config="
                        + "org.apache.kafka.common.security.plain.PlainLoginModule required" + users + ";",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=4",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.segment.bytes=16777216",
                "log.retention.hours=24",
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "") ;
        Files.writeString(config, props, StandardCharsets.UTF_8);
    }

    private static Path writeLogConfig(Path workDir) throws IOException {
        Path file = workDir.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = STDOUT",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "logger.kafka.name = kafka.server.KafkaRaftServer",
                "logger.kafka.level = INFO",
                ""), StandardCharsets.UTF_8);
        return file;
    }

    private static void format(String javaBin, String classpath, Path config, Path workDir) throws IOException {
        String clusterId = clusterId();
        List<String> cmd = List.of(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString());
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("kafka-format.log").toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting the Kafka log directory failed: "
                        + Files.readString(workDir.resolve("kafka-format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    /**
     * A random cluster id as Kafka writes one (URL-safe base64 of 16 bytes), never starting with
     * '-': the storage tool would read such an id as an option and fail, one start in 64.
     */
    static String clusterId() {
        while (true) {
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static byte[] uuidBytes() {
        UUID u = UUID.randomUUID();
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }

    static String serverClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + CLASSPATH_RESOURCE + ": build the kafka-server-runtime module first");
            }
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String entry : cp.split(java.io.File.pathSeparator)) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException("Kafka server jar " + entry
                            + " is missing from the local Maven repository: run mvn -pl kafka-server-runtime install");
                }
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(c -> c.endsWith("/java"))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
