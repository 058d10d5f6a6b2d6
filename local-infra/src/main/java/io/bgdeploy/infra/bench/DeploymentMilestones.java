package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * When one deployment reached each point the client and its events tell of (request sent, accepted,
 * each phase entered, its last pod running, its slowest pod's first READY, finished, the end heard by
 * the client), and how long each of its load-balancer commands took from its record to its answer's,
 * by command type. {@link #hops} turns them into the steps its overhead is made of, so that a
 * benchmark says where the time went and not only how much there was.
 *
 * @param requestSent     when the client sent the request (its clock; the same machine's as the events')
 * @param phases          when the deployment entered each phase (its {@code DeploymentPhaseChanged})
 * @param lastPodStarted  the last {@code PodStarted} of its green pods
 * @param heard           when the client heard {@code DeploymentFinished}
 * @param lbCommandMillis command type ({@code SwitchFrontend}, ...) -> record to answer, in ms (added up
 *                        when a type was sent more than once)
 */
record DeploymentMilestones(Instant requestSent, Instant accepted, Map<DeploymentPhase, Instant> phases,
                            Instant lastPodStarted, Instant slowestPodReady, Instant finished, Instant heard,
                            Map<String, Long> lbCommandMillis) {

    /**
     * The hops in the order a deployment goes through them, in ms; a hop whose two ends the
     * deployment did not reach (no blue to remove, a failure before the switch) is left out; the
     * commands last, by type name. Besides the commands, they add up to the overhead but for the
     * time from the last pod started to the slowest pod READY (the pod's own) and the drain delay:
     * the DRAINING hop is what the phase lasted beyond {@code drainDelay}.
     */
    Map<String, Long> hops(Duration drainDelay) {
        Map<String, Long> hops = new LinkedHashMap<>();
        hop(hops, "request sent -> accepted", requestSent, accepted);
        hop(hops, "accepted -> CREATING_GREEN", accepted, phases.get(DeploymentPhase.CREATING_GREEN));
        hop(hops, "CREATING_GREEN -> WAITING_FOR_HEALTH", phases.get(DeploymentPhase.CREATING_GREEN),
                phases.get(DeploymentPhase.WAITING_FOR_HEALTH));
        hop(hops, "WAITING_FOR_HEALTH -> last pod started", phases.get(DeploymentPhase.WAITING_FOR_HEALTH),
                lastPodStarted);
        hop(hops, "slowest pod READY -> SWITCHING", slowestPodReady, phases.get(DeploymentPhase.SWITCHING));
        hop(hops, "SWITCHING -> DRAINING", phases.get(DeploymentPhase.SWITCHING), phases.get(DeploymentPhase.DRAINING));
        Instant draining = phases.get(DeploymentPhase.DRAINING);
        hop(hops, "DRAINING beyond the drain delay", draining == null ? null : draining.plus(drainDelay),
                phases.get(DeploymentPhase.REMOVING_BLUE));
        hop(hops, "REMOVING_BLUE -> finished", phases.get(DeploymentPhase.REMOVING_BLUE), finished);
        hop(hops, "finished -> heard by the client", finished, heard);
        new TreeMap<>(lbCommandMillis).forEach((type, millis) -> hops.put(type + " record -> answer", millis));
        return hops;
    }

    private static void hop(Map<String, Long> hops, String name, Instant from, Instant to) {
        if (from != null && to != null) {
            hops.put(name, Duration.between(from, to).toMillis());
        }
    }
}
