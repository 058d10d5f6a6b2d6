package io.bgdeploy.system;

import com.sun.net.httpserver.HttpServer;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HaproxyProcess;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.ServiceProcess;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.Wrk;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.FrontendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.options.PutOption;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time. lb-config-service and two lb-agents, each with its
 * own HAProxy, as separate processes on a real Kafka broker and etcd. Run (after
 * {@code mvn -B package -DskipTests}) with
 * {@code mvn -B -pl system-tests -am test -Dtest=LbSwitchBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>A switch is measured from the Kafka timestamp of the {@code SwitchFrontend} record to the
 * moment the later of the two agents read it back in its HAProxy (the time in its report to etcd),
 * and to the timestamp of its {@code LbCommandApplied}, published once lb-config-service has both
 * reports (what the deployer waits for): idle, under wrk's maximum
 * keep-alive load and under {@code Connection: close} load through the first agent's HAProxy (wrk's
 * failed requests and non-2xx responses printed), and with 5,000 apps configured; the first
 * {@code -Dwarmup} switches after the start, and the first {@code -DscaleWarmup} after the 5,000 apps
 * were loaded, are printed apart; so are each phase's five slowest switches, split where a bare
 * consumer polled the command (the broker path before, lb-config-service, etcd and the agents
 * after). Beside it, in
 * the same run, the reload path: a command that adds a host, which every agent applies with a reload;
 * and after the idle switches the floor of their path, its hops with plain clients ({@link BareChain}).
 */
class LbSwitchBenchmark {

    private static final int SWITCHES = Integer.getInteger("switches", 200);
    private static final int NEW_HOSTS = Integer.getInteger("newHosts", 30);
    private static final int APPS = Integer.getInteger("apps", 5000);
    /**
     * Switches sent before the measured phases and printed apart: the services' first commands run
     * while their JIT compiles the path (C1 only, ServiceProcess), which is what a freshly started
     * service costs, not what a running one does.
     */
    private static final int WARMUP = Integer.getInteger("warmup", 100);
    /**
     * Switches sent right after the {@code -Dapps} apps were loaded, printed apart: they run while
     * the agents' heaps still hold the garbage of that load and its reload (with the suite's small
     * heaps, old-generation collections of 70-110 ms in its first second or two).
     */
    private static final int SCALE_WARMUP = Integer.getInteger("scaleWarmup", 100);
    /** Where the servers of the {@code -Dapps} apps are, and whether HAProxy checks them ({@code -DappServers}). */
    enum AppServers {
        /** The default: 127.0.0.1 on one of {@link #CHECK_PORTS} ports of an HAProxy that answers every check with 200, as healthy pods do. */
        ANSWERING("answering their health checks"),
        /** 10.x addresses where nothing answers: every check waits for its timeout (the figures before 2026-12-02 noon). */
        UNREACHABLE("checked at addresses where nothing answers"),
        /** The answering servers without a health check: what the configuration's size costs without the checks' load. */
        UNCHECKED("answering, not checked");

        final String description;

        AppServers(String description) {
            this.description = description;
        }

        static AppServers chosen() {
            String value = System.getProperty("appServers", "answering");
            return Arrays.stream(values()).filter(v -> v.name().equalsIgnoreCase(value)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("-DappServers must be answering, unreachable or unchecked, not " + value));
        }
    }

    private static final AppServers APP_SERVERS = AppServers.chosen();
    /** The agents' {@code lbagent.haproxy.check-interval} ({@code -DcheckInterval}): how often each HAProxy checks each server. */
    private static final String CHECK_INTERVAL = System.getProperty("checkInterval", "2s");
    private static final int CHECK_PORTS = 16;
    private static final String APP = "bench";
    private static final String HOST = "bench.example.com";
    private static final String BLUE = "default-bench-1";
    private static final String GREEN = "default-bench-2";

    private KafkaProducer<String, String> producer;
    private Answers answers;
    private String current = BLUE;
    private int newHost;
    private int agentA;
    private List<String> metricsUrls;
    private BareConsumer bare;
    private AppliedReports reports;
    private HaproxyProcess checkResponder;
    private Path masterA;
    private final List<Integer> checkPorts = new ArrayList<>();

    @Test
    void switchLatency() throws Exception {
        Path root = Path.of(System.getProperty("bgdeploy.root", "..")).toAbsolutePath().normalize();
        Path work = SharedInfra.workDir("lb-bench");
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        String etcd = SharedInfra.etcd().endpoint();
        SharedInfra.kafka().createTopics(List.of(Topics.LB_COMMANDS, Topics.LB_EVENTS, Topics.LB_COMMANDS_DLQ), 4);
        List<ServiceProcess> processes = new ArrayList<>();
        List<SocketDirectory> sockets = new ArrayList<>();
        HttpServer blue = server("blue");
        HttpServer green = server("green");
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        try {
            Map<String, String> common = Map.of("kafka.bootstrap.servers", bootstrap, "bgdeploy.etcd.endpoints", etcd);
            int[] publicPorts = new int[2];
            int[] agentPorts = new int[2];
            for (int i = 0; i < 2; i++) {
                SocketDirectory dir = SocketDirectory.create("bench-" + i);
                sockets.add(dir);
                publicPorts[i] = FreePorts.next();
                agentPorts[i] = FreePorts.next();
                Map<String, String> settings = new LinkedHashMap<>(common);
                settings.put("lbagent.id", "bench-agent-" + (char) ('a' + i));
                settings.put("lbagent.haproxy.start", "true");
                settings.put("lbagent.haproxy.config-file", work.resolve("agent-" + i).resolve("haproxy.cfg").toString());
                settings.put("lbagent.haproxy.master-socket", dir.socket("master.sock").toString());
                if (i == 0) {
                    masterA = dir.socket("master.sock");
                }
                settings.put("lbagent.haproxy.public-port", String.valueOf(publicPorts[i]));
                settings.put("lbagent.haproxy.stats-port", String.valueOf(FreePorts.next()));
                settings.put("lbagent.haproxy.max-connections", "8000");
                settings.put("lbagent.haproxy.check-interval", CHECK_INTERVAL);
                processes.add(ServiceProcess.launch(root, "lb-agent", agentPorts[i], settings, work.resolve("logs")));
            }
            Map<String, String> lbConfig = new LinkedHashMap<>(common);
            lbConfig.put("lbconfig.min-agents", "2");
            lbConfig.put("lbconfig.apply-timeout", "120s");
            processes.add(ServiceProcess.launch(root, "lb-config-service", FreePorts.next(), lbConfig, work.resolve("logs")));
            processes.forEach(ServiceProcess::awaitReady);
            agentA = agentPorts[0];
            metricsUrls = List.of(processes.get(2).url("/q/metrics"), processes.get(0).url("/q/metrics"),
                    etcd + "/metrics");
            answers = new Answers(bootstrap);
            bare = new BareConsumer(bootstrap);
            reports = new AppliedReports(etcd, List.of("bench-agent-a", "bench-agent-b"));

            int bluePort = blue.getAddress().getPort();
            int greenPort = green.getAddress().getPort();
            command(new UpsertBackend(id(), "bench", "default", APP, new BackendSpec(BLUE,
                    List.of(new ServerSpec("blue-1", "127.0.0.1", bluePort)), false, List.of(), null)));
            command(new UpsertBackend(id(), "bench", "default", APP, new BackendSpec(GREEN,
                    List.of(new ServerSpec("green-1", "127.0.0.1", greenPort)), false, List.of(), null)));
            command(new SwitchFrontend(id(), "bench", "default", APP, FrontendSpec.http(HOST), BLUE, null));

            System.out.printf("%nLB SWITCH BENCHMARK (lb-config-service and 2 agents, each with its HAProxy)%n");
            if (WARMUP > 0) {
                switches("idle, first switches after the services started (warm-up, not counted below)", WARMUP);
            }
            switches("idle", SWITCHES);
            BareChain.print(bootstrap, etcd, SWITCHES);
            newHosts("idle, reload path (a new host)", NEW_HOSTS);

            underLoad(publicPorts[0], true, work.resolve("wrk-keep-alive.txt"));
            underLoad(publicPorts[0], false, work.resolve("wrk-close.txt"));

            if (APP_SERVERS != AppServers.UNREACHABLE) {
                checkResponder = startCheckResponder(work.resolve("check-responder"));
            }
            long t0 = System.nanoTime();
            long revision = writeApps(APPS, checkPorts);
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                    appliedRevision(agentPorts[0]) >= revision && appliedRevision(agentPorts[1]) >= revision);
            System.out.printf("%n  %,d more apps written to etcd (two servers each, %s, check interval %s); both agents serve"
                    + " them (one reload each) after %,d ms%n", APPS, APP_SERVERS.description, CHECK_INTERVAL,
                    (System.nanoTime() - t0) / 1_000_000);
            if (APP_SERVERS == AppServers.ANSWERING) {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> serversUp(masterA) >= 2 * APPS);
                System.out.printf("  %,d servers UP in agent a's HAProxy (the apps' and the bench app's)%n", serversUp(masterA));
            }
            if (SCALE_WARMUP > 0) {
                switches("with " + APPS + " apps configured, idle, first switches after they were loaded (not counted below)",
                        SCALE_WARMUP);
            }
            switches("with " + APPS + " apps configured, idle", SWITCHES);
            newHosts("with " + APPS + " apps configured, reload path", Math.min(NEW_HOSTS, 10));
        } finally {
            producer.close();
            if (bare != null) {
                bare.close();
            }
            if (reports != null) {
                reports.close();
            }
            if (answers != null) {
                answers.close();
            }
            processes.forEach(ServiceProcess::close);
            sockets.forEach(SocketDirectory::close);
            blue.stop(0);
            green.stop(0);
            if (checkResponder != null) {
                checkResponder.close();
            }
        }
    }

    /**
     * An HAProxy that answers 200 to every request on {@link #CHECK_PORTS} ports (several, so that
     * 10,000 checks every 2 s from each of two HAProxies do not run out of port pairs).
     */
    private HaproxyProcess startCheckResponder(Path dir) throws Exception {
        Files.createDirectories(dir);
        StringBuilder binds = new StringBuilder();
        for (int i = 0; i < CHECK_PORTS; i++) {
            checkPorts.add(FreePorts.next());
            binds.append("    bind 127.0.0.1:").append(checkPorts.get(i)).append('\n');
        }
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, String.join("\n",
                "global", "    maxconn 4000",
                "defaults", "    mode http", "    timeout connect 2s", "    timeout client 5s", "    timeout server 5s",
                "frontend checks") + "\n" + binds
                + "    http-request return status 200 content-type text/plain string ok\n");
        return HaproxyProcess.start(dir, config);
    }

    /** Servers running in an HAProxy ({@code show servers state} of its worker: operational state 2). */
    private static long serversUp(Path masterSocket) {
        return HaproxyProcess.runtimeAt(masterSocket, "show servers state").lines().map(l -> l.split(" "))
                .filter(f -> f.length > 5 && f[5].equals("2")).count();
    }

    /** Switches and new hosts while wrk sends as many requests as it can through agent a's HAProxy; prints what wrk counted. */
    private void underLoad(int publicPort, boolean keepAlive, Path out) throws Exception {
        String client = keepAlive ? "keep-alive" : "Connection: close";
        Wrk.Result load;
        try (Wrk wrk = Wrk.start(publicPort, HOST, 2, 16, keepAlive, out)) {
            switches("under wrk -t2 -c16 " + client + " through agent a's HAProxy", SWITCHES);
            newHosts("under the same load (" + client + "), reload path", NEW_HOSTS);
            load = wrk.stop();
        }
        System.out.printf("  wrk -t2 -c16 %s meanwhile: %s%n", client, load);
    }

    /** Switches the bench app back and forth and prints the latency; the reload counter says whether a reload happened. */
    private void switches(String title, int count) throws Exception {
        int reloads = haproxyReloads(agentA);
        Map<String, StepFigures> steps = steps();
        bare.delays.clear();
        bare.polledAt.clear();
        long[] kafka = new long[count];
        long[] wall = new long[count];
        long[] applied = new long[count];
        List<long[]> splits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String target = current.equals(BLUE) ? GREEN : BLUE;
            long start = System.nanoTime();
            Answer answer = command(new SwitchFrontend(id(), "bench", "default", APP, FrontendSpec.http(HOST), target, current));
            wall[i] = (System.nanoTime() - start) / 1_000_000;
            kafka[i] = answer.answered() - answer.sent();
            long[] byAgent = reports.appliedBy(answer.revision());
            applied[i] = Arrays.stream(byAgent).max().orElseThrow() - answer.sent();
            Long polled = bare.polledAt.get(answer.record());
            splits.add(new long[] {applied[i], polled == null ? -1 : polled - answer.sent(),
                    byAgent[0] - answer.sent(), byAgent[1] - answer.sent()});
            current = target;
        }
        print("switch " + title, kafka, wall, applied);
        printSlowest(splits);
        long[] polled = bare.delays.stream().mapToLong(Long::longValue).sorted().toArray();
        if (polled.length > 0) {
            System.out.printf("    a bare KafkaConsumer on lb-commands (own thread, poll loop), record timestamp -> polled: p50 %d ms,"
                    + " mean %.1f ms, max %d ms (%d records; compare lbconfig_command queue)%n", pct(polled, 50),
                    Arrays.stream(polled).average().orElse(0), polled[polled.length - 1], polled.length);
        }
        printSteps(steps, steps());
        System.out.printf("    HAProxy reloads (agent a's master) during these switches: %d%n", haproxyReloads(agentA) - reloads);
        printEtcdBaseline();
    }

    /**
     * The baseline of the {@code etcd} step and of the watches, taken right after a phase's switches
     * in the same state of the machine: a plain jetcd client's round trips on one key outside the
     * suite's prefix, a put (raft and the WAL's fsync) and a get (neither), spaced as switches are.
     */
    private static void printEtcdBaseline() {
        int count = 100;
        long[] puts = new long[count];
        long[] gets = new long[count];
        ByteSequence key = bytes("/bench-probe/round-trip");
        try (EtcdAccess etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(10))) {
            // the client's first call opens its channel: not a round trip to count
            etcd.await(etcd.client().getKVClient().get(key));
            for (int i = 0; i < count; i++) {
                Thread.sleep(10);
                long t0 = System.nanoTime();
                etcd.await(etcd.client().getKVClient().put(key, bytes(Integer.toString(i))));
                long t1 = System.nanoTime();
                etcd.await(etcd.client().getKVClient().get(key));
                puts[i] = (t1 - t0) / 1_000;
                gets[i] = (System.nanoTime() - t1) / 1_000;
            }
            etcd.await(etcd.client().getKVClient().delete(key));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Arrays.sort(puts);
        Arrays.sort(gets);
        System.out.printf("    a bare jetcd client, %d puts and gets of one key 10 ms apart (compare lbconfig_command etcd):"
                + " put p50 %.1f ms, p99 %.1f ms; get p50 %.1f ms, p99 %.1f ms%n", count, pct(puts, 50) / 1000.0,
                pct(puts, 99) / 1000.0, pct(gets, 50) / 1000.0, pct(gets, 99) / 1000.0);
    }

    /** Adds hosts routed to the serving backend: every agent reloads for each. */
    private void newHosts(String title, int count) throws Exception {
        int reloads = haproxyReloads(agentA);
        Map<String, StepFigures> steps = steps();
        bare.delays.clear();
        long[] kafka = new long[count];
        long[] wall = new long[count];
        long[] applied = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Answer answer = command(new SwitchFrontend(id(), "bench", "default", APP,
                    FrontendSpec.http("new" + (newHost++) + ".bench.example.com"), current, null));
            wall[i] = (System.nanoTime() - start) / 1_000_000;
            kafka[i] = answer.answered() - answer.sent();
            applied[i] = reports.appliedByAll(answer.revision()) - answer.sent();
        }
        print(title, kafka, wall, applied);
        printSteps(steps, steps());
        System.out.printf("    HAProxy reloads (agent a's master) during these commands: %d%n", haproxyReloads(agentA) - reloads);
    }

    /**
     * Sum, count and histogram of every step timer of lb-config-service ({@code lbconfig_command_step_seconds}),
     * agent a ({@code lbagent_step_seconds}) and etcd's own disk timers, keyed by where and what.
     */
    private Map<String, StepFigures> steps() throws Exception {
        Map<String, StepFigures> steps = new TreeMap<>();
        for (String url : metricsUrls) {
            String body = HttpClients.http11(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                Matcher m = STEP_METRIC.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                Matcher label = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
                String key = m.group(1).replace("_step_seconds", "").replace("_duration_seconds", "")
                        + (labels.containsKey("step") ? " " + labels.get("step") : "")
                        + (labels.containsKey("grpc_method") ? " " + labels.get("grpc_method") : "");
                StepFigures figures = steps.computeIfAbsent(key, k -> new StepFigures());
                double value = Double.parseDouble(m.group(4));
                switch (m.group(2)) {
                    case "sum" -> figures.sum += value;
                    case "count" -> figures.count += value;
                    default -> figures.buckets.merge(labels.get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
                            : Double.parseDouble(labels.get("le")), value, Double::sum);
                }
            }
        }
        return steps;
    }

    private static final Pattern STEP_METRIC = Pattern.compile(
            "(lbconfig_command_step_seconds|lbagent_step_seconds|etcd_disk_wal_fsync_duration_seconds"
                    + "|etcd_disk_backend_commit_duration_seconds|grpc_server_handling_seconds)_(sum|count|bucket)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** One step timer as scraped: total seconds, count, and cumulative counts by upper bound in seconds. */
    private static final class StepFigures {
        double sum;
        double count;
        final TreeMap<Double, Double> buckets = new TreeMap<>();
    }

    /**
     * Mean time per step during a phase, and its p99 as the histogram's upper bound that holds 99 %
     * of the phase's records (lb-config-service's and agent a's steps; etcd's disk writes).
     */
    private static void printSteps(Map<String, StepFigures> before, Map<String, StepFigures> after) {
        StringBuilder line = new StringBuilder("    mean per step (count; p99 at most):");
        after.forEach((key, now) -> {
            StepFigures was = before.getOrDefault(key, new StepFigures());
            double count = now.count - was.count;
            if (count > 0) {
                line.append(String.format(" %s %.1f ms (%d", key, (now.sum - was.sum) * 1000 / count, (long) count));
                for (Map.Entry<Double, Double> bucket : now.buckets.entrySet()) {
                    if (bucket.getValue() - was.buckets.getOrDefault(bucket.getKey(), 0.0) >= 0.99 * count) {
                        line.append(String.format("; %.1f ms", bucket.getKey() * 1000));
                        break;
                    }
                }
                line.append(");");
            }
        });
        System.out.println(line);
    }

    private static void print(String title, long[] kafka, long[] wall, long[] applied) {
        Arrays.sort(kafka);
        Arrays.sort(wall);
        Arrays.sort(applied);
        System.out.printf("%n  %s, %d commands%n", title, kafka.length);
        System.out.printf("    command record -> applied by every agent (the later agent's report time): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                pct(applied, 50), pct(applied, 90), pct(applied, 99), applied[applied.length - 1]);
        System.out.printf("    command record -> LbCommandApplied record (Kafka timestamps): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                pct(kafka, 50), pct(kafka, 90), pct(kafka, 99), kafka[kafka.length - 1]);
        System.out.printf("    seen by the client (send -> answer read):                  p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                pct(wall, 50), pct(wall, 90), pct(wall, 99), wall[wall.length - 1]);
    }

    /**
     * The slowest switches of a phase, split where the bare consumer polled the command: the broker
     * path before it, lb-config-service, etcd, the watches and the agents after it.
     */
    private static void printSlowest(List<long[]> splits) {
        StringBuilder line = new StringBuilder("    slowest 5 (applied by every agent = record -> polled by the bare consumer"
                + " + the rest; agent a / b):");
        splits.stream().sorted((x, y) -> Long.compare(y[0], x[0])).limit(5).forEach(s ->
                line.append(String.format(" %d = %d + %d (%d / %d);", s[0], s[1], s[0] - s[1], s[2], s[3])));
        System.out.println(line);
    }

    /**
     * Kafka timestamps of a command record and of its answer, the configuration revision it
     * applied, and the record's partition and offset.
     */
    private record Answer(long sent, long answered, long revision, String record) {
    }

    /** Sends a command and waits for its answer. */
    private Answer command(EventData command) throws Exception {
        EventEnvelope<?> envelope = EventEnvelope.of("/benchmark", command);
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.LB_COMMANDS, envelope.key(),
                EventCodec.encodeToString(envelope));
        record.headers().add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        org.apache.kafka.clients.producer.RecordMetadata metadata = producer.send(record).get();
        long sent = metadata.timestamp();
        String commandId = ((io.bgdeploy.events.lb.LbCommand) command).commandId();
        ConsumerRecord<String, String> answer = answers.await(commandId, Duration.ofMinutes(3));
        EventData data = EventCodec.decode(answer.value()).data();
        if (data instanceof LbCommandRejected rejected) {
            throw new IllegalStateException("command rejected: " + rejected.reason());
        }
        return new Answer(sent, answer.timestamp(), ((LbCommandApplied) data).revision(),
                metadata.partition() + ":" + metadata.offset());
    }

    private static String answerTo(ConsumerRecord<String, String> r) {
        try {
            EventData d = EventCodec.decode(r.value()).data();
            return d instanceof LbCommandApplied a ? a.commandId() : d instanceof LbCommandRejected j ? j.commandId() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Writes {@code apps} apps (a backend with two servers and a host each) straight into etcd; returns
     * the last revision. The servers are on {@code checkPorts} of 127.0.0.1, or at 10.x addresses
     * when there are none.
     */
    private static long writeApps(int apps, List<Integer> checkPorts) {
        try (EtcdAccess etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(30))) {
            long revision = 0;
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < apps; i++) {
                String app = "app" + i;
                String id = "default-" + app + "-1";
                HostName host = HostName.of(app + ".example.com");
                for (int s = 0; s < 2; s++) {
                    ReferenceServer server = checkPorts.isEmpty()
                            ? new ReferenceServer("10." + s + "." + (i / 250) + "." + (i % 250 + 1), 8080, false, null)
                            : new ReferenceServer("127.0.0.1", checkPorts.get((2 * i + s) % checkPorts.size()), false, null);
                    ops.add(Op.put(bytes(EtcdLayout.proxyServer(id, "s" + (s + 1))), json(server), PutOption.DEFAULT));
                }
                ops.add(Op.put(bytes(EtcdLayout.configBackend(id)), json(new BackendOptions(false, List.of(),
                        APP_SERVERS == AppServers.UNCHECKED ? null : "/health",
                        Keys.app("default", app))), PutOption.DEFAULT));
                ops.add(Op.put(bytes(EtcdLayout.proxyFrontend(host)), json(new ReferenceFrontend(host.value(), "http", id, true)),
                        PutOption.DEFAULT));
                ops.add(Op.put(bytes(EtcdLayout.configFrontend(host)), json(new FrontendOptions(false, List.of(), false, null, null)),
                        PutOption.DEFAULT));
                if (ops.size() >= 100 || i == apps - 1) {
                    ops.add(Op.put(bytes(EtcdLayout.GENERATION), bytes("bulk-" + i), PutOption.DEFAULT));
                    revision = etcd.await(etcd.client().getKVClient().txn().Then(ops.toArray(Op[]::new)).commit())
                            .getHeader().getRevision();
                    ops.clear();
                }
            }
            return revision;
        }
    }

    private static long appliedRevision(int agentPort) throws Exception {
        return SuiteTestSupport.json(get(agentPort)).path("appliedRevision").asLong();
    }

    private static int haproxyReloads(int agentPort) throws Exception {
        return SuiteTestSupport.json(get(agentPort)).path("haproxyReloads").asInt();
    }

    private static String get(int agentPort) throws Exception {
        return HttpClients.http11(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/status"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpServer server(String body) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /**
     * Waits up to 10 s until {@code done}, woken by a {@code notifyAll} on {@code monitor} rather than
     * polling: the benchmark keeps its own work off the two cores while a command is in flight.
     */
    private static void waitOn(Object monitor, java.util.function.BooleanSupplier done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (monitor) {
            while (!done.getAsBoolean()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within 10 s");
                }
                monitor.wait(left);
            }
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /**
     * The agents' reports ({@code /bgdeploy/lb/applied/<agent>}) as a watch delivers them: each
     * carries the revision the agent's HAProxy serves and the time the agent read it back there,
     * before the report was written. So "applied by every agent" is the later of the agents' first
     * reports of a revision (or a later one), on the agents' clocks, which here are this machine's.
     */
    private static final class AppliedReports implements AutoCloseable {
        private final EtcdAccess etcd;
        private final List<String> agents;
        /** Each agent's first report of each revision: revision to the time in it. */
        private final Map<String, java.util.concurrent.ConcurrentSkipListMap<Long, Long>> reports = new ConcurrentHashMap<>();
        private final Watch.Watcher watcher;

        AppliedReports(String endpoint, List<String> agents) {
            this.etcd = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(10));
            this.agents = agents;
            agents.forEach(a -> reports.put(a, new java.util.concurrent.ConcurrentSkipListMap<>()));
            watcher = etcd.client().getWatchClient().watch(bytes(EtcdLayout.APPLIED),
                    WatchOption.builder().isPrefix(true).build(),
                    Watch.listener(response -> response.getEvents().forEach(e -> {
                        if (e.getEventType() != WatchEvent.EventType.PUT) {
                            return;
                        }
                        AgentProgress p = StoredJson.read(e.getKeyValue().getValue().getBytes(), AgentProgress.class);
                        var of = reports.get(p.agentId());
                        if (of != null && p.failure() == null && p.at() != null) {
                            of.putIfAbsent(p.revision(), p.at().toEpochMilli());
                            synchronized (this) {
                                notifyAll();
                            }
                        }
                    })));
        }

        /** When the last agent first reported serving {@code revision} or a later one (epoch milliseconds). */
        long appliedByAll(long revision) throws InterruptedException {
            return Arrays.stream(appliedBy(revision)).max().orElseThrow();
        }

        /**
         * When each agent, in the order given, first reported serving {@code revision} or a later one
         * (epoch milliseconds). An agent's revisions only grow, so that is its report of the lowest
         * revision at or above it. Waits for the reports without polling.
         */
        long[] appliedBy(long revision) throws InterruptedException {
            long[] at = new long[agents.size()];
            waitOn(this, () -> reported(revision, at), "every agent's report of revision " + revision);
            return at;
        }

        private boolean reported(long revision, long[] at) {
            for (int i = 0; i < at.length; i++) {
                Map.Entry<Long, Long> first = reports.get(agents.get(i)).ceilingEntry(revision);
                if (first == null) {
                    return false;
                }
                at[i] = first.getValue();
            }
            return true;
        }

        @Override
        public void close() {
            watcher.close();
            etcd.close();
        }
    }

    /**
     * The floor of a switch's path on this machine: its hops with plain clients and no work at
     * either end. A record on a topic of its own, polled by a bare consumer that puts one etcd key,
     * which two more jetcd clients (the agents) watch; each takes the time it got the event, then
     * writes a report as an agent does. Measured from the record's timestamp to the later of the
     * two watchers, as a switch is to the later agent's report time; one at a time, 10 ms apart.
     * What a switch costs above it is lb-config-service's and the agents' own work: decoding,
     * deciding, the transaction's guard, HAProxy's Runtime API and reading it back.
     */
    private static final class BareChain implements AutoCloseable {
        private static final String TOPIC = "bench-bare-chain";
        private static final ByteSequence COMMAND = bytes("/bench-bare-chain/command");
        private final EtcdAccess writer;
        private final List<EtcdAccess> watchers = new ArrayList<>();
        private final List<Watch.Watcher> watches = new ArrayList<>();
        /** When each watcher got each sequence number's event, epoch milliseconds. */
        private final List<Map<Long, Long>> seen = new ArrayList<>();
        private final Map<Long, Long> polledAt = new ConcurrentHashMap<>();
        private final TopicTail poller;

        private BareChain(String bootstrap, String endpoint) {
            writer = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(10));
            for (int i = 0; i < 2; i++) {
                EtcdAccess watcher = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(10));
                Map<Long, Long> times = new ConcurrentHashMap<>();
                ByteSequence report = bytes("/bench-bare-chain/applied/" + i);
                watchers.add(watcher);
                seen.add(times);
                watches.add(watcher.client().getWatchClient().watch(COMMAND, Watch.listener(response ->
                        response.getEvents().forEach(e -> {
                            long seq = Long.parseLong(e.getKeyValue().getValue().toString(StandardCharsets.UTF_8));
                            times.put(seq, System.currentTimeMillis());
                            synchronized (this) {
                                notifyAll();
                            }
                            watcher.client().getKVClient().put(report, e.getKeyValue().getValue());
                        }))));
            }
            poller = new TopicTail(bootstrap, TOPIC, "bench-bare-chain", r -> {
                polledAt.put(Long.parseLong(r.value()), System.currentTimeMillis());
                writer.await(writer.client().getKVClient().put(COMMAND, bytes(r.value())));
            });
        }

        /** Waits, without polling, until both watchers got the event of {@code seq}; when the later did. */
        long seenByBoth(long seq) throws InterruptedException {
            waitOn(this, () -> seen.stream().allMatch(m -> m.containsKey(seq)), "both watchers' event " + seq);
            return seen.stream().mapToLong(m -> m.get(seq)).max().orElseThrow();
        }

        static void print(String bootstrap, String endpoint, int count) throws Exception {
            SharedInfra.kafka().createTopics(List.of(TOPIC), 1);
            long[] total = new long[count];
            long[] broker = new long[count];
            try (BareChain chain = new BareChain(bootstrap, endpoint);
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"),
                         new StringSerializer(), new StringSerializer())) {
                for (int i = -20; i < count; i++) {
                    // the first 20 open the clients' connections and warm the path: not counted
                    long seq = i + 20L;
                    long sent = producer.send(new ProducerRecord<>(TOPIC, "chain", Long.toString(seq))).get().timestamp();
                    long seenByBoth = chain.seenByBoth(seq);
                    if (i >= 0) {
                        total[i] = seenByBoth - sent;
                        broker[i] = chain.polledAt.get(seq) - sent;
                    }
                    Thread.sleep(10);
                }
            }
            Arrays.sort(total);
            Arrays.sort(broker);
            System.out.printf("    the same path with plain clients and no work (record -> bare consumer -> etcd put -> two watchers,"
                    + " %d records 10 ms apart): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; of which record -> polled"
                    + " p50 %d ms, p99 %d ms%n", count, pct(total, 50), pct(total, 90), pct(total, 99), total[count - 1],
                    pct(broker, 50), pct(broker, 99));
        }

        @Override
        public void close() throws InterruptedException {
            poller.close();
            watches.forEach(Watch.Watcher::close);
            watchers.forEach(EtcdAccess::close);
            writer.close();
        }
    }

    /**
     * Reads lb-commands beside lb-config-service, on a thread of its own that does nothing but poll:
     * how long a command takes from its record's timestamp to a plain consumer on this machine, the
     * baseline of lb-config-service's {@code queue} step (which adds its connector's hand-off).
     */
    private static final class BareConsumer implements AutoCloseable {
        final java.util.concurrent.ConcurrentLinkedQueue<Long> delays = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** When each record ({@code partition:offset}) was polled, epoch milliseconds. */
        final Map<String, Long> polledAt = new ConcurrentHashMap<>();
        private final TopicTail tail;

        BareConsumer(String bootstrap) {
            tail = new TopicTail(bootstrap, Topics.LB_COMMANDS, "bench-bare-consumer", r -> {
                long now = System.currentTimeMillis();
                delays.add(now - r.timestamp());
                polledAt.put(r.partition() + ":" + r.offset(), now);
            });
        }

        @Override
        public void close() throws InterruptedException {
            tail.close();
        }
    }

    /**
     * The answers on lb-events, each decoded once as it arrives, on a thread of its own, and handed
     * to the command waiting for it. The benchmark's own work while a command is in flight is kept
     * to that: it shares the machine's two cores with the suite it measures.
     */
    private static final class Answers implements AutoCloseable {
        private final Map<String, CompletableFuture<ConsumerRecord<String, String>>> byCommand = new ConcurrentHashMap<>();
        private final TopicTail tail;

        Answers(String bootstrap) {
            tail = new TopicTail(bootstrap, Topics.LB_EVENTS, "bench-answers", r -> {
                String commandId = answerTo(r);
                if (commandId != null) {
                    of(commandId).complete(r);
                }
            });
        }

        ConsumerRecord<String, String> await(String commandId, Duration timeout) throws Exception {
            try {
                return of(commandId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                byCommand.remove(commandId);
            }
        }

        private CompletableFuture<ConsumerRecord<String, String>> of(String commandId) {
            return byCommand.computeIfAbsent(commandId, id -> new CompletableFuture<>());
        }

        @Override
        public void close() throws InterruptedException {
            tail.close();
        }
    }

    /**
     * A plain consumer of every partition of a topic from its end, on a thread that does nothing
     * but poll and hand each record to {@code onRecord}. Its position is taken before it returns,
     * so every record sent after that is seen.
     */
    private static final class TopicTail implements AutoCloseable {
        private final org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        TopicTail(String bootstrap, String topic, String threadName,
                  java.util.function.Consumer<ConsumerRecord<String, String>> onRecord) {
            consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
                    org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.StringDeserializer());
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                while (running) {
                    consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
                }
                consumer.close();
            }, threadName);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}
