package io.bgdeploy.infra.bench;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.KafkaTestClient.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads, from the suite's topics, how long each deployment took ({@code deploy-events}) and when
 * each of its pods was running ({@code pod-events}) and first READY ({@code pod-health}).
 */
final class DeploymentTimingsReader {

    private final String bootstrap;

    DeploymentTimingsReader(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /**
     * The timing of every deployment in {@code totals} (id -> its total as the client saw it), in
     * that order; fails after {@code timeout}.
     */
    List<DeploymentTiming> read(Map<String, Long> totals, Duration timeout) {
        Set<String> wanted = Set.copyOf(totals.keySet());
        Map<String, DeploymentFinished> finished = new HashMap<>();
        Map<String, Long> drained = new HashMap<>();
        Map<String, Instant> podStarted = new HashMap<>();
        Map<String, Instant> podReady = new HashMap<>();
        Map<String, String> podDeployment = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (TopicReader events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS);
             TopicReader pods = KafkaTestClient.reader(bootstrap, Topics.POD_EVENTS);
             TopicReader health = KafkaTestClient.reader(bootstrap, Topics.POD_HEALTH)) {
            while (true) {
                for (ConsumerRecord<String, String> r : events.records()) {
                    decode(r).ifPresent(e -> {
                        if (e.data() instanceof DeploymentFinished f && wanted.contains(f.deploymentId())) {
                            finished.put(f.deploymentId(), f);
                        } else if (e.data() instanceof DeploymentPhaseChanged c && wanted.contains(c.deploymentId())
                                && c.phase() == DeploymentPhase.REMOVING_BLUE && c.previousPhaseMillis() != null) {
                            drained.put(c.deploymentId(), c.previousPhaseMillis()); // the phase before is DRAINING
                        }
                    });
                }
                for (ConsumerRecord<String, String> r : pods.records()) {
                    decode(r).ifPresent(e -> {
                        if (e.data() instanceof PodStarted p && wanted.contains(p.pod().deploymentId())) {
                            podStarted.putIfAbsent(p.pod().podName(), e.time());
                            podDeployment.put(p.pod().podName(), p.pod().deploymentId());
                        }
                    });
                }
                for (ConsumerRecord<String, String> r : health.records()) {
                    decode(r).ifPresent(e -> {
                        if (e.data() instanceof PodHealthChanged h && h.state() == PodHealthState.READY
                                && wanted.contains(h.pod().deploymentId())) {
                            podReady.merge(h.pod().podName(), e.time(), (a, b) -> a.isBefore(b) ? a : b);
                        }
                    });
                }
                if (finished.keySet().containsAll(wanted) && podReady.keySet().containsAll(podStarted.keySet())) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("within " + timeout + " the topics told the end of " + finished.size()
                            + " of " + wanted.size() + " deployments and the first READY of " + podReady.size() + " of "
                            + podStarted.size() + " pods");
                }
            }
        }
        Map<String, Long> slowestPod = new HashMap<>();
        podStarted.forEach((pod, started) -> slowestPod.merge(podDeployment.get(pod),
                Duration.between(started, podReady.get(pod)).toMillis(), Math::max));
        List<DeploymentTiming> timings = new ArrayList<>();
        for (String id : totals.keySet()) {
            DeploymentFinished f = finished.get(id);
            timings.add(new DeploymentTiming(id, f.status(), totals.get(id), slowestPod.getOrDefault(id, 0L),
                    drained.getOrDefault(id, 0L)));
        }
        return timings;
    }

    private static Optional<EventEnvelope<?>> decode(ConsumerRecord<String, String> r) {
        try {
            return Optional.of(EventCodec.decode(r.value()));
        } catch (MalformedEventException e) {
            return Optional.empty();
        }
    }
}
