package io.bgdeploy.deployer.benchmark;

import io.bgdeploy.deployer.api.DeploymentApiTest;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Deployer overhead: a deployment's total time minus the time its slowest green pod needed to
 * become healthy on its own (PodStarted to READY), over 50 consecutive deployments of one app, and
 * over 20 apps deployed at once. Local platform (built-in HTTP server pods), real Kafka and etcd,
 * health-service and lb-config-service played by {@link KafkaSuiteDoubles}, drain delay 0.
 * Run: {@code mvn -B -pl deployer-service test -Dtest=DeployerOverheadBenchmark}.
 */
@QuarkusTest
@TestProfile(BenchmarkProfile.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class DeployerOverheadBenchmark {

    private String bootstrap;

    @Test
    void overhead() {
        bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        KafkaSuiteDoubles.start(bootstrap);
        String warmup = DeploymentApiTest.deploy(DeploymentApiTest.descriptor("bench-warmup", "#", ""));
        DeploymentApiTest.awaitFinal(warmup);

        String descriptorId = DeploymentApiTest.createDescriptor(DeploymentApiTest.descriptor("bench-seq", "#", ""));
        List<String> sequential = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            String id = DeploymentApiTest.startDeployment(descriptorId);
            DeploymentApiTest.awaitFinal(id);
            sequential.add(id);
        }
        long sequentialMillis = (System.nanoTime() - t0) / 1_000_000;
        report("50 consecutive deployments of one app (1 replica)", sequential, sequentialMillis);

        List<String> parallel = new ArrayList<>();
        t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            parallel.add(DeploymentApiTest.deploy(DeploymentApiTest.descriptor("bench-par" + i, "#", "")));
        }
        for (String id : parallel) {
            DeploymentApiTest.awaitFinal(id);
        }
        long parallelMillis = (System.nanoTime() - t0) / 1_000_000;
        report("20 apps deployed at once (1 replica each)", parallel, parallelMillis);
    }

    private void report(String title, List<String> ids, long wallMillis) {
        Set<String> wanted = Set.copyOf(ids);
        Map<String, Long> total = new HashMap<>();
        Map<String, DeploymentStatus> status = new HashMap<>();
        Map<String, Instant> started = new HashMap<>();
        Map<String, Long> slowestPod = new HashMap<>();
        try (var events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS);
             var pods = KafkaTestClient.reader(bootstrap, Topics.POD_EVENTS);
             var health = KafkaTestClient.reader(bootstrap, Topics.POD_HEALTH)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                for (ConsumerRecord<String, String> r : events.records()) {
                    if (decode(r).data() instanceof DeploymentFinished f && wanted.contains(f.deploymentId())) {
                        total.put(f.deploymentId(), f.durationMillis());
                        status.put(f.deploymentId(), f.status());
                    }
                }
                return total.keySet().containsAll(wanted);
            });
            for (ConsumerRecord<String, String> r : pods.records()) {
                EventEnvelope<?> e = decode(r);
                if (e.data() instanceof PodStarted p && wanted.contains(p.pod().deploymentId())) {
                    started.put(p.pod().podName(), e.time());
                }
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                for (ConsumerRecord<String, String> r : health.records()) {
                    EventEnvelope<?> e = decode(r);
                    if (e.data() instanceof PodHealthChanged h && h.state() == PodHealthState.READY
                            && wanted.contains(h.pod().deploymentId()) && started.containsKey(h.pod().podName())) {
                        long podMillis = Duration.between(started.get(h.pod().podName()), e.time()).toMillis();
                        slowestPod.merge(h.pod().deploymentId(), podMillis, Math::max);
                    }
                }
                return slowestPod.keySet().containsAll(wanted);
            });
        }
        Histogram overhead = new Histogram(3);
        Histogram totals = new Histogram(3);
        Histogram podTimes = new Histogram(3);
        for (String id : ids) {
            overhead.recordValue(Math.max(0, total.get(id) - slowestPod.get(id)));
            totals.recordValue(total.get(id));
            podTimes.recordValue(slowestPod.get(id));
        }
        long failed = status.values().stream().filter(s -> s != DeploymentStatus.DEPLOYED).count();
        System.out.printf("%n=== %s ===%n", title);
        System.out.printf("deployments: %d (not DEPLOYED: %d), wall time %d ms%n", ids.size(), failed, wallMillis);
        System.out.printf("total deployment time ms   p50 %d  p99 %d  max %d%n", totals.getValueAtPercentile(50),
                totals.getValueAtPercentile(99), totals.getMaxValue());
        System.out.printf("slowest pod to READY ms    p50 %d  p99 %d  max %d%n", podTimes.getValueAtPercentile(50),
                podTimes.getValueAtPercentile(99), podTimes.getMaxValue());
        System.out.printf("deployer overhead ms       p50 %d  p99 %d  max %d%n", overhead.getValueAtPercentile(50),
                overhead.getValueAtPercentile(99), overhead.getMaxValue());
    }

    private static EventEnvelope<?> decode(ConsumerRecord<String, String> r) {
        try {
            return EventCodec.decode(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
