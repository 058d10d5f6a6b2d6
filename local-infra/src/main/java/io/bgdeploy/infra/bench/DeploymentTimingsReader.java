package io.bgdeploy.infra.bench;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.KafkaTestClient.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads, from the suite's topics, how long each deployment took and when it entered each phase
 * ({@code deploy-events}), when each of its pods was running ({@code pod-events}) and first READY
 * ({@code pod-health}), and how long each of its load-balancer commands took from its record on
 * {@code lb-commands} to its answer's on {@code lb-events} (the records' timestamps).
 */
final class DeploymentTimingsReader {

    private final String bootstrap;

    DeploymentTimingsReader(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** One deployment as its client saw it: when it sent the request, and how long until it heard the end. */
    record SeenByClient(Instant sent, long totalMillis) {

        Instant heard() {
            return sent.plusMillis(totalMillis);
        }
    }

    /**
     * The timing of every deployment in {@code clients} (id -> what its client saw), in that order,
     * its hops beyond the drain delay the deployer was given; fails after {@code timeout}.
     */
    List<DeploymentTiming> read(Map<String, SeenByClient> clients, Duration drainDelay, Duration timeout) {
        Set<String> wanted = Set.copyOf(clients.keySet());
        Map<String, DeploymentFinished> finished = new HashMap<>();
        Map<String, Instant> finishedAt = new HashMap<>();
        Map<String, Instant> acceptedAt = new HashMap<>();
        Map<String, Map<DeploymentPhase, Instant>> phases = new HashMap<>();
        Map<String, Long> drained = new HashMap<>();
        Map<String, Instant> podStarted = new HashMap<>();
        Map<String, Instant> podReady = new HashMap<>();
        Map<String, String> podDeployment = new HashMap<>();
        Map<String, LbCommand> commands = new HashMap<>();
        Map<String, Long> commandSentAt = new HashMap<>();
        Map<String, Long> answeredAt = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (TopicReader events = KafkaTestClient.reader(bootstrap, Topics.DEPLOY_EVENTS);
             TopicReader pods = KafkaTestClient.reader(bootstrap, Topics.POD_EVENTS);
             TopicReader health = KafkaTestClient.reader(bootstrap, Topics.POD_HEALTH);
             TopicReader lbCommands = KafkaTestClient.reader(bootstrap, Topics.LB_COMMANDS);
             TopicReader lbEvents = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            while (true) {
                for (ConsumerRecord<String, String> r : events.records()) {
                    decode(r).ifPresent(e -> {
                        if (e.data() instanceof DeploymentFinished f && wanted.contains(f.deploymentId())) {
                            finished.put(f.deploymentId(), f);
                            finishedAt.put(f.deploymentId(), e.time());
                        } else if (e.data() instanceof DeploymentAccepted a && wanted.contains(a.deploymentId())) {
                            acceptedAt.putIfAbsent(a.deploymentId(), e.time());
                        } else if (e.data() instanceof DeploymentPhaseChanged c && wanted.contains(c.deploymentId())) {
                            phases.computeIfAbsent(c.deploymentId(), id -> new EnumMap<>(DeploymentPhase.class))
                                    .putIfAbsent(c.phase(), e.time());
                            if (c.phase() == DeploymentPhase.REMOVING_BLUE && c.previousPhaseMillis() != null) {
                                drained.put(c.deploymentId(), c.previousPhaseMillis()); // the phase before is DRAINING
                            }
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
                for (ConsumerRecord<String, String> r : lbCommands.records()) {
                    decode(r).ifPresent(e -> {
                        if (e.data() instanceof LbCommand c && wanted.contains(c.deploymentId())) {
                            commands.putIfAbsent(c.commandId(), c);
                            commandSentAt.putIfAbsent(c.commandId(), r.timestamp());
                        }
                    });
                }
                for (ConsumerRecord<String, String> r : lbEvents.records()) {
                    decode(r).ifPresent(e -> answeredCommand(e).ifPresent(id -> answeredAt.putIfAbsent(id, r.timestamp())));
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
        Map<String, Instant> slowestReadyAt = new HashMap<>();
        Map<String, Instant> lastStartedAt = new HashMap<>();
        podStarted.forEach((pod, started) -> {
            String id = podDeployment.get(pod);
            lastStartedAt.merge(id, started, (a, b) -> a.isAfter(b) ? a : b);
            slowestPod.merge(id, Duration.between(started, podReady.get(pod)).toMillis(), Math::max);
            slowestReadyAt.merge(id, podReady.get(pod), (a, b) -> a.isAfter(b) ? a : b);
        });
        Map<String, Map<String, Long>> lbMillis = new HashMap<>();
        commands.forEach((id, c) -> {
            Long answered = answeredAt.get(id);
            if (answered != null) {
                lbMillis.computeIfAbsent(c.deploymentId(), d -> new TreeMap<>())
                        .merge(c.getClass().getSimpleName(), answered - commandSentAt.get(id), Long::sum);
            }
        });
        List<DeploymentTiming> timings = new ArrayList<>();
        clients.forEach((id, client) -> {
            DeploymentFinished f = finished.get(id);
            DeploymentMilestones milestones = new DeploymentMilestones(client.sent(), acceptedAt.get(id),
                    phases.getOrDefault(id, Map.of()), lastStartedAt.get(id), slowestReadyAt.get(id), finishedAt.get(id),
                    client.heard(), lbMillis.getOrDefault(id, Map.of()));
            timings.add(new DeploymentTiming(id, f.status(), client.totalMillis(), slowestPod.getOrDefault(id, 0L),
                    drained.getOrDefault(id, 0L), milestones.hops(drainDelay)));
        });
        return timings;
    }

    /** The command an answer on lb-events is to, if it is one. */
    private static Optional<String> answeredCommand(EventEnvelope<?> e) {
        if (e.data() instanceof LbCommandApplied a) {
            return Optional.of(a.commandId());
        }
        return e.data() instanceof LbCommandRejected r ? Optional.of(r.commandId()) : Optional.empty();
    }

    private static Optional<EventEnvelope<?>> decode(ConsumerRecord<String, String> r) {
        try {
            return Optional.of(EventCodec.decode(r.value()));
        } catch (MalformedEventException e) {
            return Optional.empty();
        }
    }
}
