package io.bgdeploy.system;

import io.bgdeploy.events.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml cannot run on the build machines (no Docker engine), so this reads it and
 * checks it against the code: the services it builds are the service modules with their
 * Dockerfiles, the ports are the ones the services listen on, every environment variable is a
 * setting the service has (MicroProfile Config names: {@code kafka.bootstrap.servers} is
 * {@code KAFKA_BOOTSTRAP_SERVERS}), the addresses point at services of the file, and the topics
 * it creates are the topics of {@link Topics}. Expectations are read from the modules'
 * application.properties and @ConfigMapping interfaces at test time.
 */
class DockerComposeFileTest {

    /** The service modules: a Quarkus application each. */
    static final List<String> SERVICE_MODULES = List.of("deployer-service", "lb-config-service", "lb-agent", "health-service",
            "log-shipper");

    /** The deployer's settings that name a file holding a secret: the REST API's token and the signing keys. */
    static final List<String> DEPLOYER_SECRET_FILE_SETTINGS = List.of("DEPLOYER_AUTH_TOKEN_FILE", "DEPLOYER_SIGNING_KEYS_FILE");

    /** Environment variables of the container images rather than of the application. */
    static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO",
            "JAVA_INITIAL_MEM_RATIO", "TZ");

    /** The heap log-shipper's benchmark is measured with (its README): Compose and the Kubernetes manifests bound it there. */
    static final long SHIPPER_MAX_HEAP_BYTES = 256L * 1024 * 1024;

    static Path root;
    static Map<String, Object> compose;
    static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void read() throws IOException {
        root = repositoryRoot();
        try (Reader r = Files.newBufferedReader(root.resolve("docker-compose.yml"), StandardCharsets.UTF_8)) {
            compose = new Yaml().load(r);
        }
        services = new LinkedHashMap<>();
        map(compose.get("services")).forEach((name, s) -> services.put(name, map(s)));
    }

    @Test
    void everyServiceModuleIsBuiltFromItsOwnDockerfile() {
        Map<String, String> moduleOf = bgdeployServices();

        assertThat(new TreeSet<>(moduleOf.values())).containsExactlyInAnyOrderElementsOf(SERVICE_MODULES);
        for (Map.Entry<String, String> e : moduleOf.entrySet()) {
            Map<String, Object> build = map(services.get(e.getKey()).get("build"));
            Path dockerfile = root.resolve(e.getValue()).resolve(String.valueOf(build.get("dockerfile")));
            assertThat(dockerfile).as("Dockerfile of compose service %s", e.getKey()).isRegularFile();
            ServiceSettings settings = ServiceSettings.of(root, e.getValue());
            assertThat(exposedPorts(dockerfile)).as("EXPOSE in %s", root.relativize(dockerfile))
                    .contains(settings.httpPort());
            assertThat(read(dockerfile)).as("%s copies the Quarkus fast-jar", dockerfile).contains("target/quarkus-app/lib/",
                    "target/quarkus-app/app/", "target/quarkus-app/quarkus/", "target/quarkus-app/*.jar");
        }
    }

    @Test
    void everyServiceIsReachableOnThePortItListensOn() {
        for (Map.Entry<String, String> e : bgdeployServices().entrySet()) {
            Map<String, Object> service = services.get(e.getKey());
            int port = ServiceSettings.of(root, e.getValue()).httpPort();
            String publisher = networkOwner(e.getKey());
            assertThat(containerPorts(services.get(publisher)))
                    .as("compose service %s listens on %d (quarkus.http.port of %s); %s publishes its ports",
                            e.getKey(), port, e.getValue(), publisher)
                    .contains(port);
            assertThat(environment(service)).as("%s must not move the port the code and the manifests agree on", e.getKey())
                    .doesNotContainKey("QUARKUS_HTTP_PORT");
        }
    }

    @Test
    void servicesSharingANetworkNamespaceDoNotShareAPort() {
        Map<String, String> taken = new HashMap<>();
        for (Map.Entry<String, String> e : bgdeployServices().entrySet()) {
            String owner = networkOwner(e.getKey());
            int port = ServiceSettings.of(root, e.getValue()).httpPort();
            String clash = taken.put(owner + ":" + port, e.getKey());
            assertThat(clash).as("%s and %s both listen on %d in the network namespace of %s", clash, e.getKey(), port, owner)
                    .isNull();
        }
        List<String> hostPorts = services.values().stream().flatMap(s -> ports(s).stream())
                .map(p -> p.split(":")[0]).toList();
        assertThat(hostPorts).as("published host ports").doesNotHaveDuplicates();
    }

    @Test
    void everyEnvironmentVariableOfAServiceIsASettingOfThatService() {
        for (Map.Entry<String, String> e : bgdeployServices().entrySet()) {
            ServiceSettings settings = ServiceSettings.of(root, e.getValue());
            for (String variable : environment(services.get(e.getKey())).keySet()) {
                assertThat(IMAGE_VARIABLES.contains(variable) || settings.accepts(variable))
                        .as("%s sets %s, which is no setting of %s (known: %s)", e.getKey(), variable, e.getValue(),
                                settings.environmentNames())
                        .isTrue();
            }
        }
    }

    @Test
    void theAddressesInSettingsPointAtServicesOfThisFile() {
        Set<Integer> kafkaPorts = listenerPorts(String.valueOf(environment(services.get("kafka")).get("KAFKA_LISTENERS")));
        for (Map.Entry<String, String> e : bgdeployServices().entrySet()) {
            Map<String, String> env = environment(services.get(e.getKey()));
            assertThat(env).as("%s needs Kafka", e.getKey()).containsKey("KAFKA_BOOTSTRAP_SERVERS");
            for (String hostPort : env.get("KAFKA_BOOTSTRAP_SERVERS").split(",")) {
                String[] hp = hostPort.trim().split(":");
                assertThat(services).as("Kafka host of %s", e.getKey()).containsKey(hp[0]);
                assertThat(kafkaPorts).as("Kafka port of %s", e.getKey()).contains(Integer.parseInt(hp[1]));
            }
            if (ServiceSettings.of(root, e.getValue()).accepts("BGDEPLOY_ETCD_ENDPOINTS")) {
                assertThat(env).as("%s needs etcd", e.getKey()).containsKey("BGDEPLOY_ETCD_ENDPOINTS");
            }
            if (env.containsKey("BGDEPLOY_ETCD_ENDPOINTS")) {
                URI etcd = URI.create(env.get("BGDEPLOY_ETCD_ENDPOINTS"));
                assertThat(services).containsKey(etcd.getHost());
                assertThat(String.join(" ", strings(services.get(etcd.getHost()).get("command"))))
                        .contains("--listen-client-urls=http://0.0.0.0:" + etcd.getPort());
            }
            if (env.containsKey("GRAYLOG_GELF_URL")) {
                URI gelf = URI.create(env.get("GRAYLOG_GELF_URL"));
                assertThat(gelf.getScheme()).as("GELF over HTTP, the transport that proves delivery").isEqualTo("http");
                assertThat(gelf.getPath()).isEqualTo("/gelf");
                assertThat(services).containsKey(gelf.getHost());
                assertThat(containerPorts(services.get(gelf.getHost()))).contains(gelf.getPort());
                assertThat(environment(services.get("graylog-init"))).as("the content pack's input listens where log-shipper sends")
                        .containsEntry("GELF_HTTP_PORT", String.valueOf(gelf.getPort()));
            }
        }
        assertThat(read(root.resolve("deploy/compose/graylog-init.sh")))
                .contains("/system/content_packs", "/installations", "GELF_HTTP_PORT");
        assertThat(strings(services.get("graylog-init").get("volumes")))
                .anySatisfy(v -> assertThat(v).startsWith("./deploy/compose/graylog-init.sh:"))
                .anySatisfy(v -> assertThat(v).isEqualTo("./deploy/graylog/bgdeploy-content-pack.json:"
                        + environment(services.get("graylog-init")).get("CONTENT_PACK") + ":ro"));
    }

    @Test
    void containerLogsTakesTheCollectorsLargestRecordAndItsDeadLettersMore() {
        String script = String.join("\n", strings(services.get("kafka-init").get("command")));
        int collectorLimit = GraylogContentPackTest.logShipperDefault("maxRecordBytes");
        Matcher logs = Pattern.compile(Topics.CONTAINER_LOGS + "\\) config=\"--config max.message.bytes=(\\d+)\"").matcher(script);
        Matcher dlq = Pattern.compile(Topics.CONTAINER_LOGS_DLQ + "\\) config=\"--config max.message.bytes=(\\d+)\"").matcher(script);
        assertThat(logs.find()).as("kafka-init sets max.message.bytes of %s: %s", Topics.CONTAINER_LOGS, script).isTrue();
        assertThat(Integer.parseInt(logs.group(1))).as("logshipper.collector.max-record-bytes").isEqualTo(collectorLimit);
        assertThat(dlq.find()).as("kafka-init sets max.message.bytes of %s", Topics.CONTAINER_LOGS_DLQ).isTrue();
        assertThat(Integer.parseInt(dlq.group(1))).as("room for the dead-letter headers").isGreaterThan(collectorLimit);
        assertThat(script).contains("--topic \"$$topic\" --partitions 4 --replication-factor 1 $$config");
    }

    /**
     * The image's run-java.sh gives the heap {@code JAVA_MAX_MEM_RATIO} percent of the container's
     * memory limit; without a limit it sizes the heap from the host's memory, so the shipper needs both.
     */
    @Test
    void theShippersHeapIsBoundedByItsMemoryLimitAsOnKubernetes() {
        List<String> shippers = bgdeployServices().entrySet().stream().filter(e -> e.getValue().equals("log-shipper"))
                .map(Map.Entry::getKey).toList();
        assertThat(shippers).as("compose services built from log-shipper").isNotEmpty();
        for (String name : shippers) {
            Map<String, Object> service = services.get(name);
            Path dockerfile = root.resolve("log-shipper").resolve(String.valueOf(map(service.get("build")).get("dockerfile")));
            assertThat(read(dockerfile)).as("%s starts the JVM with run-java.sh, which reads JAVA_MAX_MEM_RATIO", dockerfile)
                    .containsPattern("ENTRYPOINT \\[\\s*\"/opt/jboss/container/java/run/run-java.sh\"");
            Long limit = memoryLimit(service);
            assertThat(limit).as("%s has a memory limit (deploy.resources.limits.memory)", name).isNotNull();
            String ratio = environment(service).get("JAVA_MAX_MEM_RATIO");
            assertThat(ratio).as("%s sets JAVA_MAX_MEM_RATIO", name).isNotNull();
            assertThat(Long.parseLong(ratio)).as("JAVA_MAX_MEM_RATIO of %s", name).isBetween(1L, 100L);
            assertThat(limit * Long.parseLong(ratio) / 100).as("the heap of %s", name)
                    .isLessThanOrEqualTo(SHIPPER_MAX_HEAP_BYTES);
        }
    }

    @Test
    void theTopicsCreatedAreTheTopicsOfTheCode() throws IllegalAccessException {
        Set<String> created = createdTopics();
        Set<String> expected = new TreeSet<>(Topics.ALL);
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_DLQ")) {
                expected.add((String) f.get(null));
            }
        }
        assertThat(created).isEqualTo(expected);

        for (String module : SERVICE_MODULES) {
            for (String topic : ServiceSettings.of(root, module).topics()) {
                assertThat(created).as("topic %s of %s", topic, module).contains(topic);
            }
        }
        assertThat(environment(services.get("kafka"))).as("topics are created by kafka-init, with the suite's partitions")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    }

    @Test
    void kafkaIsTheVersionOfTheClientsAndEverythingElseWaitsForIt() {
        String kafkaVersion = rootProperty(root, "kafka.version");
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(services.get("kafka-init").get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(environment(services.get("kafka"))).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");

        for (String name : bgdeployServices().keySet()) {
            assertThat(dependencies(name)).as("%s starts after the topics exist", name).contains("kafka-init");
        }
        for (String name : services.keySet()) {
            for (String dependency : dependencies(name)) {
                assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency);
            }
            assertThat(services).as("network of %s", name).containsKey(networkOwner(name));
        }
    }

    @Test
    void haproxyAndItsAgentShareTheConfigFileAndTheMasterSocket() {
        Map<String, String> agent = environment(services.get("lb-agent"));
        assertThat(agent).containsEntry("LBAGENT_HAPROXY_START", "false");
        String config = agent.get("LBAGENT_HAPROXY_CONFIG_FILE");
        String socket = agent.get("LBAGENT_HAPROXY_MASTER_SOCKET");
        String haproxyCommand = String.join("\n", strings(services.get("haproxy").get("command")));
        assertThat(haproxyCommand).contains("-W", "-S " + socket, "-f " + config);

        String shared = Path.of(config).getParent().toString();
        assertThat(Path.of(socket).getParent()).hasToString(shared);
        String agentVolume = volumeAt(services.get("lb-agent"), shared);
        assertThat(agentVolume).as("lb-agent mounts a volume at %s", shared).isNotNull();
        assertThat(volumeAt(services.get("haproxy"), shared)).isEqualTo(agentVolume);
        assertThat(map(compose.get("volumes"))).containsKey(agentVolume);
        assertThat(networkOwner("haproxy")).isEqualTo(networkOwner("lb-agent"));
        assertThat(containerPorts(services.get(networkOwner("haproxy"))))
                .contains(Integer.parseInt(agent.get("LBAGENT_HAPROXY_PUBLIC_PORT")),
                        Integer.parseInt(agent.get("LBAGENT_HAPROXY_STATS_PORT")));
    }

    @Test
    void theDeployersTokenAndSigningKeysAreComposeSecretsFromTheEnvironment() {
        String deployer = bgdeployServices().entrySet().stream().filter(e -> e.getValue().equals("deployer-service"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Map<String, String> env = environment(services.get(deployer));
        Map<String, Object> secrets = map(compose.get("secrets"));
        for (String setting : DEPLOYER_SECRET_FILE_SETTINGS) {
            assertThat(env).as("%s sets %s", deployer, setting).containsKey(setting);
            assertThat(env.get(setting)).as("%s is a Compose secret's file", setting).startsWith("/run/secrets/");
            String secret = env.get(setting).substring("/run/secrets/".length());
            assertThat(strings(services.get(deployer).get("secrets"))).as("secrets of %s", deployer).contains(secret);
            assertThat(secrets).as("top-level secrets").containsKey(secret);
            assertThat(map(secrets.get(secret))).as("secret %s comes from the environment, never from a file in the repository",
                    secret).containsKey("environment").doesNotContainKey("file");
        }
        for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
            if (!s.getKey().equals(deployer)) {
                assertThat(strings(s.getValue().get("secrets"))).as("secrets of %s", s.getKey()).isEmpty();
            }
        }
    }

    // --- reading the compose file

    /** Compose service name -> service module, for the services built from this repository. */
    static Map<String, String> bgdeployServices() {
        Map<String, String> result = new LinkedHashMap<>();
        services.forEach((name, s) -> {
            if (s.get("build") != null) {
                String context = String.valueOf(map(s.get("build")).get("context"));
                String module = Path.of(context).normalize().toString();
                assertThat(root.resolve(module).resolve("pom.xml")).as("build context of %s", name).isRegularFile();
                result.put(name, module);
            }
        });
        return result;
    }

    private static String networkOwner(String service) {
        Object mode = services.get(service).get("network_mode");
        if (mode != null && mode.toString().startsWith("service:")) {
            return mode.toString().substring("service:".length());
        }
        return service;
    }

    private static List<String> dependencies(String service) {
        Object d = services.get(service).get("depends_on");
        if (d == null) {
            return List.of();
        }
        if (d instanceof Map<?, ?> m) {
            return m.keySet().stream().map(String::valueOf).toList();
        }
        return strings(d);
    }

    private static List<String> ports(Map<String, Object> service) {
        return strings(service.get("ports"));
    }

    /** The container side of every published port. */
    private static Set<Integer> containerPorts(Map<String, Object> service) {
        return ports(service).stream().map(p -> p.substring(p.lastIndexOf(':') + 1).replaceAll("/.*", ""))
                .map(Integer::parseInt).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A service's memory limit in bytes ({@code deploy.resources.limits.memory} or {@code mem_limit}), or null. */
    private static Long memoryLimit(Map<String, Object> service) {
        Object value = service.get("mem_limit");
        if (service.get("deploy") instanceof Map<?, ?> deploy && deploy.get("resources") instanceof Map<?, ?> resources
                && resources.get("limits") instanceof Map<?, ?> limits && limits.get("memory") != null) {
            value = limits.get("memory");
        }
        return value == null ? null : bytes(String.valueOf(value));
    }

    /** A Compose byte value: a number with an optional unit b, k, m or g (binary; "kb", "mb", "gb" too). */
    private static long bytes(String value) {
        Matcher m = Pattern.compile("(\\d+)\\s*([kmg]?)b?", Pattern.CASE_INSENSITIVE).matcher(value.trim());
        assertThat(m.matches()).as("a Compose byte value such as 512M: %s", value).isTrue();
        int power = "bkmg".indexOf(m.group(2).isEmpty() ? 'b' : Character.toLowerCase(m.group(2).charAt(0)));
        return Long.parseLong(m.group(1)) << (10 * power);
    }

    private static Set<Integer> listenerPorts(String listeners) {
        Set<Integer> ports = new TreeSet<>();
        Matcher m = Pattern.compile(":(\\d+)").matcher(listeners);
        while (m.find()) {
            ports.add(Integer.parseInt(m.group(1)));
        }
        return ports;
    }

    private static String volumeAt(Map<String, Object> service, String path) {
        for (String v : strings(service.get("volumes"))) {
            String[] parts = v.split(":");
            if (parts.length >= 2 && parts[1].equals(path)) {
                return parts[0];
            }
        }
        return null;
    }

    private static Set<String> createdTopics() {
        String script = String.join("\n", strings(services.get("kafka-init").get("command")));
        Matcher loop = Pattern.compile("for topic in ([^;]*);", Pattern.DOTALL).matcher(script);
        assertThat(loop.find()).as("kafka-init creates the topics in a loop: %s", script).isTrue();
        assertThat(script).contains("--create --if-not-exists", "--topic \"$$topic\"");
        return Stream.of(loop.group(1).replace("\\", " ").trim().split("\\s+")).collect(Collectors.toCollection(TreeSet::new));
    }

    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object e = service.get("environment");
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (e != null) {
            for (String kv : strings(e)) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    static List<String> strings(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(o));
    }

    private static Set<Integer> exposedPorts(Path dockerfile) {
        Set<Integer> ports = new TreeSet<>();
        for (String line : read(dockerfile).split("\n")) {
            if (line.startsWith("EXPOSE ")) {
                for (String p : line.substring(7).trim().split("\\s+")) {
                    ports.add(Integer.parseInt(p.replaceAll("/.*", "")));
                }
            }
        }
        return ports;
    }

    static String rootProperty(Path root, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(read(root.resolve("pom.xml")));
        assertThat(m.find()).as("root pom property %s", name).isTrue();
        return m.group(1).trim();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository: -Dbgdeploy.root, else the nearest directory above the working directory with common-events. */
    static Path repositoryRoot() {
        String configured = System.getProperty("bgdeploy.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "common-events"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("common-events")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath()
                + ": run from the repository or pass -Dbgdeploy.root");
    }

    /**
     * The settings a service module has, read from its sources: the keys of its
     * application.properties (every profile) and the properties of its @ConfigMapping interfaces,
     * each with its environment variable name per MicroProfile Config (non-alphanumerics become
     * '_', upper case; a map key matches any name).
     */
    static final class ServiceSettings {

        private static final Map<String, ServiceSettings> CACHE = new HashMap<>();
        private static final Pattern METHOD = Pattern.compile(
                "(?:@WithName\\(#(\\d+)\\)\\s*)?(?:@\\w+(?:\\([^)]*\\))?\\s*)*"
                        + "([\\w.]+(?:<[^;(){}]*>)?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");
        private static final Pattern TOKENS = Pattern.compile("\\binterface\\s+(\\w+)[^{;]*\\{|\\{|\\}");

        private final String module;
        private final Properties properties;
        private final Set<String> names = new TreeSet<>();

        private ServiceSettings(Path root, String module) {
            this.module = module;
            this.properties = new Properties();
            Path file = root.resolve(module).resolve("src/main/resources/application.properties");
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            for (String key : properties.stringPropertyNames()) {
                names.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            }
            try (Stream<Path> sources = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = read(source);
                    Matcher prefix = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"").matcher(text);
                    if (prefix.find()) {
                        names.addAll(mappingProperties(prefix.group(1), text));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static synchronized ServiceSettings of(Path root, String module) {
            return CACHE.computeIfAbsent(module, m -> new ServiceSettings(root, m));
        }

        int httpPort() {
            String port = properties.getProperty("quarkus.http.port");
            assertThat(port).as("quarkus.http.port in %s", module).isNotNull();
            return Integer.parseInt(port.trim());
        }

        /** The value a property has in the production profile. */
        String value(String key) {
            return properties.getProperty("%prod." + key, properties.getProperty(key));
        }

        /** The keys of the module's application.properties, profiles included. */
        Set<String> keys() {
            return new TreeSet<>(properties.stringPropertyNames());
        }

        /** Every topic the module's channels name. */
        Set<String> topics() {
            Set<String> topics = new TreeSet<>();
            for (String key : properties.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.") && (key.endsWith(".topic") || key.endsWith(".dead-letter-queue.topic"))) {
                    topics.add(properties.getProperty(key).trim());
                }
            }
            return topics;
        }

        Set<String> environmentNames() {
            return names.stream().map(ServiceSettings::environmentName).collect(Collectors.toCollection(TreeSet::new));
        }

        boolean accepts(String variable) {
            for (String name : names) {
                String env = environmentName(name);
                String regex = Pattern.quote(env).replace("*", "\\E[A-Z0-9_]+\\Q");
                if (variable.matches(regex)) {
                    return true;
                }
            }
            return false;
        }

        /** MicroProfile Config: each non-alphanumeric character becomes '_', then upper case; '*' stays a wildcard. */
        static String environmentName(String property) {
            StringBuilder sb = new StringBuilder();
            for (char c : property.toCharArray()) {
                sb.append(c == '*' ? '*' : Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
            }
            return sb.toString();
        }

        /** Properties of a @ConfigMapping interface (and its nested interfaces), read from its source. */
        static Set<String> mappingProperties(String prefix, String source) {
            String text = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "");
            List<String> explicitNames = new ArrayList<>();
            Matcher withName = Pattern.compile("@WithName\\(\\s*\"([^\"]*)\"\\s*\\)").matcher(text);
            StringBuilder replaced = new StringBuilder();
            while (withName.find()) {
                explicitNames.add(withName.group(1));
                withName.appendReplacement(replaced, "@WithName(#" + (explicitNames.size() - 1) + ")");
            }
            withName.appendTail(replaced);
            text = replaced.toString().replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
            Map<String, List<String[]>> members = new LinkedHashMap<>();
            Deque<String> scope = new ArrayDeque<>();
            String root = null;
            Matcher t = TOKENS.matcher(text);
            int last = 0;
            while (t.find()) {
                if (!scope.isEmpty() && !scope.peek().isEmpty()) {
                    collect(text.substring(last, t.start()), members.get(scope.peek()), explicitNames);
                }
                if (t.group(1) != null) {
                    scope.push(t.group(1));
                    members.putIfAbsent(t.group(1), new ArrayList<>());
                    root = root == null ? t.group(1) : root;
                } else if ("{".equals(t.group())) {
                    scope.push("");
                } else if (!scope.isEmpty()) {
                    scope.pop();
                }
                last = t.end();
            }
            Set<String> result = new LinkedHashSet<>();
            if (root != null) {
                expand(prefix, root, members, result, 0);
            }
            return result;
        }

        private static void collect(String body, List<String[]> into, List<String> explicitNames) {
            Matcher m = METHOD.matcher(body);
            while (m.find()) {
                String name = m.group(1) != null ? explicitNames.get(Integer.parseInt(m.group(1))) : kebab(m.group(3));
                into.add(new String[]{name, m.group(2)});
            }
        }

        private static void expand(String prefix, String iface, Map<String, List<String[]>> members, Set<String> into, int depth) {
            if (depth > 10) {
                return;
            }
            for (String[] member : members.getOrDefault(iface, List.of())) {
                String path = prefix + "." + member[0];
                String type = member[1].replaceAll("^(Optional|List|Set)<(.*)>$", "$2").trim();
                Matcher map = Pattern.compile("^Map<\\s*\\w+\\s*,\\s*([\\w.]+)\\s*>$").matcher(type);
                if (map.matches()) {
                    path = path + ".*";
                    type = map.group(1);
                }
                if (members.containsKey(type)) {
                    expand(path, type, members, into, depth + 1);
                } else {
                    into.add(path);
                }
            }
        }

        private static String kebab(String camel) {
            return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        }
    }
}
