package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentStatus;

import java.time.Duration;
import java.util.Map;

/**
 * One finished deployment: its total time as the client saw it (request sent to
 * {@code DeploymentFinished} heard),
 * the time its slowest green pod took from running ({@code PodStarted}) to its first READY
 * ({@code PodHealthChanged}), and how long its DRAINING phase lasted ({@code DeploymentPhaseChanged},
 * 0 without one), and the hops its overhead is made of ({@link DeploymentMilestones#hops}).
 */
public record DeploymentTiming(String deploymentId, DeploymentStatus status, long totalMillis, long slowestPodReadyMillis,
                               long drainedMillis, Map<String, Long> hops) {

    public DeploymentTiming(String deploymentId, DeploymentStatus status, long totalMillis, long slowestPodReadyMillis,
                            long drainedMillis) {
        this(deploymentId, status, totalMillis, slowestPodReadyMillis, drainedMillis, Map.of());
    }

    /**
     * What the deployer itself adds: the total minus the slowest pod's time to ready minus the drain
     * delay (the time blue keeps running on purpose); never below 0.
     */
    public long overheadMillis(Duration drainDelay) {
        return Math.max(0, totalMillis - slowestPodReadyMillis - drainDelay.toMillis());
    }
}
