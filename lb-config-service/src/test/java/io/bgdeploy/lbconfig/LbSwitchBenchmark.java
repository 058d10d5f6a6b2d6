package io.bgdeploy.lbconfig;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lbconfig.agent.ConfigValidator;
import io.bgdeploy.lbconfig.agent.HaproxyLauncher;
import io.bgdeploy.lbconfig.agent.MasterCli;
import io.bgdeploy.lbconfig.agent.ProcStatus;
import io.bgdeploy.lbconfig.render.FrontendConfig;
import io.bgdeploy.lbconfig.render.HaproxyConfigRenderer;
import io.bgdeploy.lbconfig.render.HaproxySettings;
import io.bgdeploy.lbconfig.render.LbModel;
import io.bgdeploy.lbconfig.testing.AgentResource;
import io.bgdeploy.lbconfig.testing.KafkaTopics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time. Run with
 * {@code mvn -B -pl lb-config-service test -Dtest=LbSwitchBenchmark}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
@QuarkusTestResource(AgentResource.class)
class LbSwitchBenchmark {

    private static final int SWITCHES = Integer.getInteger("switches", 200);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    MeterRegistry registry;

    @Test
    void switchLatencyAndScale() throws Exception {
        KafkaTopics.ensure(bootstrap);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
        try {
            if (SWITCHES > 0) {
                switchLatency();
            }
        } finally {
            producer.close();
        }
        for (int n : new int[] {10, 1000, 5000}) {
            scale(n);
        }
    }

    private KafkaProducer<String, String> producer;

    /** Sends a command and returns the timestamp Kafka gave its record. */
    private long send(EventData command) throws Exception {
        EventEnvelope<?> envelope = EventEnvelope.of("/benchmark", command);
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.LB_COMMANDS, envelope.key(),
                EventCodec.encodeToString(envelope));
        record.headers().add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return producer.send(record).get().timestamp();
    }

    private static String appliedId(ConsumerRecord<String, String> r) {
        try {
            return EventCodec.decode(r.value()).data() instanceof LbCommandApplied a ? a.commandId() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private void switchLatency() throws Exception {
        String app = "bench" + UUID.randomUUID().toString().substring(0, 6);
        String host = app + ".example.com";
        String blue = "default-" + app + "-1";
        String green = "default-" + app + "-2";
        long[] millis = new long[SWITCHES];
        long[] wall = new long[SWITCHES];
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            String last = UUID.randomUUID().toString();
            send(new UpsertBackend(UUID.randomUUID().toString(), "bench", "default", app,
                    new BackendSpec(blue, List.of(new ServerSpec("b1", "127.0.0.1", 9)), false, List.of(), null)));
            send(new UpsertBackend(UUID.randomUUID().toString(), "bench", "default", app,
                    new BackendSpec(green, List.of(new ServerSpec("g1", "127.0.0.1", 10)), false, List.of(), null)));
            send(new SwitchFrontend(last, "bench", "default", app, FrontendSpec.http(host), blue, null));
            events.await(r -> last.equals(appliedId(r)), Duration.ofSeconds(60));
            registry.clear();
            String current = blue;
            for (int i = 0; i < SWITCHES; i++) {
                String target = current.equals(blue) ? green : blue;
                String id = UUID.randomUUID().toString();
                long start = System.nanoTime();
                long sent = send(new SwitchFrontend(id, "bench", "default", app, FrontendSpec.http(host), target, current));
                ConsumerRecord<String, String> applied = events.await(r -> id.equals(appliedId(r)), Duration.ofSeconds(60));
                wall[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                millis[i] = applied.timestamp() - sent;
                current = target;
            }
        }
        Arrays.sort(millis);
        Arrays.sort(wall);
        System.out.printf("%nSWITCH LATENCY (%d switches, 1 agent)%n", SWITCHES);
        System.out.printf("  command record -> LbCommandApplied record (Kafka timestamps): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                pct(millis, 50), pct(millis, 90), pct(millis, 99), millis[millis.length - 1]);
        System.out.printf("  seen by a client (send -> applied read back):            p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                pct(wall, 50), pct(wall, 90), pct(wall, 99), wall[wall.length - 1]);
        System.out.println("  mean time per step (ms):");
        for (String step : List.of("etcd", "agents")) {
            printTimer("    command " + step, registry.find("lbconfig.command.step").tag("step", step).timer());
        }
        for (String step : List.of("read", "render", "validate", "reload", "report")) {
            printTimer("    agent " + step, registry.find("lbconfig.agent.step").tag("step", step).timer());
        }
    }

    private static void printTimer(String label, Timer t) {
        if (t == null || t.count() == 0) {
            System.out.printf("%-22s (none)%n", label);
            return;
        }
        System.out.printf("%-22s %.1f (count %d)%n", label, t.mean(TimeUnit.MICROSECONDS) / 1000.0, t.count());
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void scale(int n) throws Exception {
        List<FrontendConfig> frontends = new ArrayList<>();
        List<BackendSpec> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "default-app" + i + "-1";
            backends.add(new BackendSpec(id, List.of(new ServerSpec("s1", "10.0." + (i / 250) + "." + (i % 250 + 1), 8080),
                    new ServerSpec("s2", "10.1." + (i / 250) + "." + (i % 250 + 1), 8080)), i % 2 == 0,
                    List.of(new HttpHeader("X-App", "app" + i)), "/health"));
            frontends.add(new FrontendConfig(new FrontendSpec("app" + i + ".example.com", true, false, List.of(),
                    i % 3 == 0, io.bgdeploy.events.lb.TlsMode.HTTP_ONLY, null), id));
        }
        LbModel model = new LbModel(frontends, backends);
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
        HaproxySettings settings = HaproxySettings.localDefaults().withPorts(FreePorts.next(), FreePorts.next());
        renderer.render(model, settings);
        long t0 = System.nanoTime();
        int rounds = 5;
        String cfg = null;
        for (int i = 0; i < rounds; i++) {
            cfg = renderer.render(model, settings);
        }
        double renderMs = (System.nanoTime() - t0) / 1e6 / rounds;
        Path dir = SharedInfra.workDir("bench-" + n);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        ConfigValidator validator = new ConfigValidator(Path.of("/usr/sbin/haproxy"));
        long t1 = System.nanoTime();
        String problems = validator.problems(file);
        double validateMs = (System.nanoTime() - t1) / 1e6;
        if (problems != null) {
            throw new IllegalStateException(problems);
        }
        try (SocketDirectory sockets = SocketDirectory.create("bench");
             HaproxyLauncher haproxy = HaproxyLauncher.start(Path.of("/usr/sbin/haproxy"), file, sockets.socket("master.sock"),
                Duration.ofSeconds(60))) {
            MasterCli cli = new MasterCli(sockets.socket("master.sock"));
            long[] reloads = new long[5];
            for (int i = 0; i < reloads.length; i++) {
                ProcStatus before = cli.showProc();
                long t2 = System.nanoTime();
                cli.send("reload");
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> cli.showProc().confirmsReloadAfter(before));
                reloads[i] = System.nanoTime() - t2;
            }
            Arrays.sort(reloads);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> cli.showProc().workers().size() == 1);
            long[] runtime = new long[20];
            for (int i = 0; i < runtime.length; i++) {
                long t3 = System.nanoTime();
                String answer = cli.runtime("set server be_default-app" + (i % n) + "-1/s1 addr 10.9.0." + (i + 1) + " port 8081");
                runtime[i] = System.nanoTime() - t3;
                if (!answer.contains("changed")) {
                    throw new IllegalStateException("set server: " + answer);
                }
            }
            Arrays.sort(runtime);
            System.out.printf("%nSCALE %d frontends + %d backends (%d servers), config %d KiB%n", n, n, 2 * n,
                    cfg.length() / 1024);
            System.out.printf("  render %.1f ms, haproxy -c %.0f ms, reload until a new worker is confirmed: median %.0f ms%n",
                    renderMs, validateMs, reloads[reloads.length / 2] / 1e6);
            System.out.printf("  server move through the Runtime API (set server addr): median %.2f ms%n",
                    runtime[runtime.length / 2] / 1e6);
        }
    }
}
