package io.bgdeploy.health.probe;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.Dashboards;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.health.model.ProbeListener;
import io.bgdeploy.health.model.ProbeTarget;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.VertxThreadFactory;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static org.awaitility.Awaitility.await;

/**
 * 1,000 pods (real local HTTP endpoints, one port each) probed every second by one probe engine,
 * the way health-service wires it: the Vert.x client, per-pod trackers, the dashboard model, a
 * Micrometer timer, and every transition published to a real Kafka broker (acks=all).
 * Prints: achieved probe rate, time until all pods are ready, flip-to-published and
 * probe-to-published latency when every pod starts failing at once, CPU and heap.
 * Run: mvn -B -pl health-service test -Dtest=HealthProbeBenchmark
 */
class HealthProbeBenchmark {

    private static final int PODS = 1_000;
    private static final long PERIOD_MILLIS = 1_000;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration MEASURE = Duration.ofSeconds(20);

    @Test
    void thousandPodsEverySecond() throws Exception {
        KafkaBroker broker = SharedInfra.kafka();
        AtomicBoolean failing = new AtomicBoolean();
        Vertx endpoints = new VertxBuilder(new VertxOptions()).threadFactory(new VertxThreadFactory() {
            @Override
            public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime,
                                              TimeUnit unit) {
                return new VertxThread(target, "endpoints-" + name, worker, maxExecTime, unit);
            }
        }).init().vertx();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            HttpServer server = endpoints.createHttpServer().requestHandler(req -> req.response()
                    .putHeader("Content-Type", "application/json")
                    .end(failing.get() ? "{\"healthy\": false}" : "{\"healthy\": true}"));
            ports.add(server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort());
        }

        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
        producer.partitionsFor(Topics.POD_HEALTH);

        Vertx vertx = Vertx.vertx();
        VertxHttpProber prober = new VertxHttpProber(vertx, 1);
        DashboardState dashboard = Dashboards.state(Clock.systemUTC());
        Timer latency = Timer.builder("health.probe.latency").publishPercentileHistogram()
                .register(new SimpleMeterRegistry());
        LongAdder probes = new LongAdder();
        LongAdder published = new LongAdder();
        Map<String, PodHealthState> states = new ConcurrentHashMap<>();
        Histogram flipToPublished = new Histogram(60_000_000_000L, 3);
        Histogram probeToPublished = new Histogram(60_000L, 3);
        Histogram probeLatency = new Histogram(60_000L, 3);
        long[] flippedAt = new long[1];
        List<String> failedBeforeFlip = new java.util.concurrent.CopyOnWriteArrayList<>();

        ProbeEngine engine = new ProbeEngine(vertx, prober, new ProbeListener() {
            @Override
            public void probed(ProbeTarget target, ProbeResult result) {
                probes.increment();
                latency.record(Duration.ofMillis(result.latencyMillis()));
                synchronized (probeLatency) {
                    probeLatency.recordValue(Math.min(60_000L, result.latencyMillis()));
                }
                dashboard.probed(target.pod(), result);
            }

            @Override
            public void changed(ProbeTarget target, PodHealthState state, ProbeResult lastProbe) {
                dashboard.healthChanged(target.pod(), state, lastProbe);
                EventEnvelope<PodHealthChanged> event = EventEnvelope.of("/health-service",
                        new PodHealthChanged(target.pod(), state, lastProbe));
                producer.send(new ProducerRecord<>(Topics.POD_HEALTH, event.key(), EventCodec.encodeToString(event)),
                        (metadata, error) -> {
                            if (error != null) {
                                return;
                            }
                            if (state == PodHealthState.UNHEALTHY && flippedAt[0] == 0) {
                                failedBeforeFlip.add(lastProbe.error());
                            } else if (state == PodHealthState.UNHEALTHY) {
                                synchronized (flipToPublished) {
                                    flipToPublished.recordValue(System.nanoTime() - flippedAt[0]);
                                    probeToPublished.recordValue(Math.max(0,
                                            System.currentTimeMillis() - lastProbe.at().toEpochMilli()));
                                }
                            }
                            states.put(target.podKey(), state);
                            published.increment();
                        });
            }
        });

        long startAll = System.nanoTime();
        for (int i = 0; i < PODS; i++) {
            PodRef pod = new PodRef("bench", "bench", "app-" + (i % 50), "1", "pod-" + i);
            engine.start(new ProbeTarget(pod, "node-1", "127.0.0.1",
                    new HealthCheckSpec("probe", "/health", ports.get(i), PERIOD_MILLIS, 1_000, 1, 1)));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> states.values().stream().filter(PodHealthState::isServing).count() == PODS);
        long allReadyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startAll);

        await().pollDelay(WARM_UP).atMost(WARM_UP.plusSeconds(1)).until(() -> true);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        synchronized (probeLatency) {
            probeLatency.reset();
        }
        long probesBefore = probes.sum();
        long cpuBefore = os.getProcessCpuTime();
        long endpointCpuBefore = endpointCpu(threads);
        long t0 = System.nanoTime();
        await().pollDelay(MEASURE).atMost(MEASURE.plusSeconds(1)).until(() -> true);
        long elapsed = System.nanoTime() - t0;
        long probeCount = probes.sum() - probesBefore;
        double processCores = (double) (os.getProcessCpuTime() - cpuBefore) / elapsed;
        double endpointCores = (double) (endpointCpu(threads) - endpointCpuBefore) / elapsed;
        System.gc();
        long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int liveThreads = threads.getThreadCount();

        long publishedBefore = published.sum();
        flippedAt[0] = System.nanoTime();
        failing.set(true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> states.values().stream().filter(st -> st == PodHealthState.UNHEALTHY).count() == PODS);

        double seconds = elapsed / 1e9;
        System.out.printf("%n=== HealthProbeBenchmark: %d pods, period %d ms, %d cores, Java %s ===%n", PODS, PERIOD_MILLIS,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("machine load average (1 min) at the end: %.1f (other builds share these cores)%n",
                os.getSystemLoadAverage());
        System.out.printf("all %d pods READY (published, acked) after   %d ms%n", PODS, allReadyMillis);
        System.out.printf("UNHEALTHY before any endpoint failed: %d %s%n", failedBeforeFlip.size(),
                failedBeforeFlip.stream().distinct().limit(3).toList());
        System.out.printf("probe rate over %.0f s:                    %.0f probes/s (target %d/s)%n", seconds,
                probeCount / seconds, PODS * 1000 / PERIOD_MILLIS);
        synchronized (probeLatency) {
            System.out.printf("probe latency in those %.0f s, p50/p99/max: %d / %d / %d ms%n", seconds,
                    probeLatency.getValueAtPercentile(50), probeLatency.getValueAtPercentile(99),
                    probeLatency.getMaxValue());
        }
        System.out.printf("all pods fail at once -> UNHEALTHY acked by Kafka, %d events:%n", flipToPublished.getTotalCount());
        System.out.printf("  flip-to-published  p50 %d ms, p99 %d ms, max %d ms%n",
                flipToPublished.getValueAtPercentile(50) / 1_000_000, flipToPublished.getValueAtPercentile(99) / 1_000_000,
                flipToPublished.getMaxValue() / 1_000_000);
        System.out.printf("  probe-to-published p50 %d ms, p99 %d ms, max %d ms%n",
                probeToPublished.getValueAtPercentile(50), probeToPublished.getValueAtPercentile(99),
                probeToPublished.getMaxValue());
        System.out.printf("CPU (cores busy) whole JVM %.2f, of which endpoint servers %.2f, prober+Kafka+JVM %.2f%n",
                processCores, endpointCores, processCores - endpointCores);
        System.out.printf("heap used after GC (whole JVM): %d MiB; live threads: %d%n", heapUsed / (1024 * 1024), liveThreads);

        engine.close();
        prober.close();
        producer.close(Duration.ofSeconds(5));
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        endpoints.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static long endpointCpu(ThreadMXBean threads) {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("endpoints-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                sum += Math.max(0, t);
            }
        }
        return sum;
    }
}
