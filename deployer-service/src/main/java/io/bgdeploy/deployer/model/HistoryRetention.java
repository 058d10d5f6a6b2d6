package io.bgdeploy.deployer.model;

import io.bgdeploy.events.deploy.DeploymentStatus;

import java.util.List;

/**
 * How much of an app's history the store keeps. Every deployment stays with its log and health
 * records (about 36 etcd keys, most of them log lines), and each new deployment of the app reads
 * the app's whole history to find blue and the next one to run: without a bound both grow with every
 * deployment ever made, and etcd's database with them until its quota stops every write.
 *
 * <p>The newest {@code keep} deployments stay, whatever they are; of the older ones, those that
 * ended UNDEPLOYED or FAILURE leave. A version still DEPLOYED, or one in progress, never does, nor
 * the one with the highest numeric version that did not fail: the next {@code "#"} version counts from it
 * ({@link BlueGreenPlanner#nextVersion}).
 *
 * @param keep how many of the newest deployments of an app always stay; 0 keeps everything
 */
public record HistoryRetention(int keep) {

    /** The default of {@code deployer.history-per-app}. */
    public static final int DEFAULT_KEEP = 100;
    /**
     * At most this many leave at a time, the oldest first: a history that grew long before (an
     * upgrade from a deployer that kept everything) is trimmed over several passes, each short, since
     * the app's next deployment waits for the pass.
     */
    public static final int MAX_PER_PASS = 20;

    public HistoryRetention {
        if (keep < 0) {
            throw new IllegalArgumentException("deployer.history-per-app must be 0 (keep everything) or more, not " + keep);
        }
    }

    /**
     * The deployments to remove from an app's history now, at most {@link #MAX_PER_PASS}.
     *
     * @param history the app's deployments in the order they were accepted, oldest first
     */
    public List<Deployment> toForget(List<Deployment> history) {
        int older = history.size() - keep;
        if (keep == 0 || older <= 0) {
            return List.of();
        }
        Deployment countedFrom = BlueGreenPlanner.countedFrom(history);
        return history.subList(0, older).stream()
                .filter(d -> d.status() == DeploymentStatus.UNDEPLOYED || d.status() == DeploymentStatus.FAILURE)
                .filter(d -> d != countedFrom)
                .limit(MAX_PER_PASS)
                .toList();
    }
}
