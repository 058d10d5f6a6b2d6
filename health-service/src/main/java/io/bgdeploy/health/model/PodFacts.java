package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.PodRef;

/**
 * What a cluster watch knows of a pod: who it is, where, its phase, restarts summed over its
 * containers, the last termination reason and whether all its containers are ready.
 */
public record PodFacts(PodRef pod, String node, String address, String phase, int restarts,
                       String lastTerminationReason, boolean containersReady) {
}
