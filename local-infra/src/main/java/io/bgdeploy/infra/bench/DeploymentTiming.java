package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentStatus;

import java.time.Duration;

/**
 * One finished deployment: its total time as the client saw it (request sent to
 * {@code DeploymentFinished} heard),
 * the time its slowest green pod took from running ({@code PodStarted}) to its first READY
 * ({@code PodHealthChanged}), and how long its DRAINING phase lasted ({@code DeploymentPhaseChanged},
 * 0 without one).
 */
public record DeploymentTiming(String deploymentId, DeploymentStatus status, long totalMillis, long slowestPodReadyMillis,
                               long drainedMillis) {

    /**
     * What the deployer itself adds: the total minus the slowest pod's time to ready minus the drain
     * delay (the time blue keeps running on purpose); never below 0.
     */
    public long overheadMillis(Duration drainDelay) {
        return Math.max(0, totalMillis - slowestPodReadyMillis - drainDelay.toMillis());
    }
}
