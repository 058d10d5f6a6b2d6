package io.bgdeploy.deployer.model;

import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The last health state of every pod of the deployments in progress, fed by pod-health and by the
 * platform. A deployment waits here until its pods are ready or its deadline passes.
 *
 * <p>Only living pods are kept: a pod leaves when health-service reports it {@code GONE} (its last
 * event) or the platform says it stopped, and a deployment leaves with its last pod. Every instance
 * hears every pod, also of deployments another instance runs and so never forgets here; this keeps
 * the board as large as the pods that run, not as the deployments ever made.
 */
public final class HealthBoard {

    private final Map<String, Map<String, PodHealthChanged>> byDeployment = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> runningByDeployment = new ConcurrentHashMap<>();

    public synchronized void onHealth(PodHealthChanged event) {
        String deploymentId = event.pod().deploymentId();
        if (deploymentId == null) {
            return;
        }
        if (event.state() == PodHealthState.GONE) {
            removePod(byDeployment, deploymentId, event.pod().podName());
        } else {
            byDeployment.computeIfAbsent(deploymentId, k -> new HashMap<>()).put(event.pod().podName(), event);
        }
        notifyAll();
    }

    /** A state known from before this instance heard any: kept only until one is heard live. */
    public synchronized void restore(PodHealthChanged event) {
        String deploymentId = event.pod().deploymentId();
        if (deploymentId == null) {
            return;
        }
        if (byDeployment.computeIfAbsent(deploymentId, k -> new HashMap<>())
                .putIfAbsent(event.pod().podName(), event) == null) {
            notifyAll();
        }
    }

    /**
     * A pod of the deployment runs, or no longer does. A pod that stops after its deployment was
     * forgotten (the platform stops deleted pods in the background) is not remembered again.
     */
    public synchronized void onRunning(String deploymentId, String podName, boolean running) {
        if (running) {
            runningByDeployment.computeIfAbsent(deploymentId, k -> new HashSet<>()).add(podName);
        } else {
            runningByDeployment.computeIfPresent(deploymentId, (id, pods) -> {
                pods.remove(podName);
                return pods.isEmpty() ? null : pods;
            });
        }
        notifyAll();
    }

    private static void removePod(Map<String, Map<String, PodHealthChanged>> pods, String deploymentId, String podName) {
        pods.computeIfPresent(deploymentId, (id, byPod) -> {
            byPod.remove(podName);
            return byPod.isEmpty() ? null : byPod;
        });
    }

    /** How many deployments the board holds anything for. */
    public synchronized int size() {
        Set<String> ids = new HashSet<>(byDeployment.keySet());
        ids.addAll(runningByDeployment.keySet());
        return ids.size();
    }

    /**
     * What is known about one deployment's pods.
     *
     * @param running the names of the pods that run
     */
    public record Snapshot(Set<String> running, Map<String, PodHealthChanged> health) {

        public long runningCount() {
            return running.size();
        }

        public long countRunningIn(Predicate<PodHealthState> state) {
            return running.stream()
                    .map(health::get)
                    .filter(h -> h != null && state.test(h.state()))
                    .count();
        }
    }

    public synchronized Snapshot snapshot(String deploymentId) {
        return new Snapshot(Set.copyOf(runningByDeployment.getOrDefault(deploymentId, Set.of())),
                Map.copyOf(byDeployment.getOrDefault(deploymentId, Map.of())));
    }

    /** Waits until the condition holds or the deadline passes; returns the last snapshot. */
    public synchronized Snapshot await(String deploymentId, Predicate<Snapshot> done, Instant deadline,
                                       java.util.function.BooleanSupplier cancelled) throws InterruptedException {
        while (true) {
            Snapshot s = snapshot(deploymentId);
            if (done.test(s) || cancelled.getAsBoolean()) {
                return s;
            }
            long left = deadline.toEpochMilli() - System.currentTimeMillis();
            if (left <= 0) {
                return s;
            }
            wait(Math.min(left, 500));
        }
    }

    public synchronized void forget(String deploymentId) {
        byDeployment.remove(deploymentId);
        runningByDeployment.remove(deploymentId);
    }
}
