package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.bgdeploy.lbconfig.model.AgentConfirmation;
import io.bgdeploy.lbconfig.model.AgentConfirmation.Verdict;

import java.time.Duration;

/**
 * Waits until the agents confirm that their HAProxy serves a revision, as {@link AgentConfirmation}
 * judges it, learning of every report through {@link AgentStatesWatch} as soon as it is written.
 */
public final class AgentConfirmations {

    /** How long to wait for a change at most before judging again (a watch can go silent). */
    private static final Duration RECHECK = Duration.ofMillis(250);

    private final AgentStatesWatch agents;
    private final int minAgents;
    private final Duration timeout;

    public AgentConfirmations(AgentStatesWatch agents, int minAgents, Duration timeout) {
        this.agents = agents;
        this.minAgents = minAgents;
        this.timeout = timeout;
    }

    /** Confirmed, or refused with the reason: an agent cannot apply it, or not confirmed within the timeout. */
    public Verdict await(long revision) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String waitingFor = "no agent seen";
        while (true) {
            long seen = agents.version();
            try {
                Verdict verdict = AgentConfirmation.judge(agents.current(), revision, minAgents);
                if (!(verdict instanceof Verdict.Waiting waiting)) {
                    return verdict;
                }
                waitingFor = waiting.reason();
            } catch (EtcdUnavailableException e) {
                waitingFor = "etcd unavailable: " + e.getMessage();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Verdict.Refused("not confirmed by the load balancer within " + timeout.toMillis() + " ms ("
                        + waitingFor + ")");
            }
            try {
                agents.awaitChange(seen, Duration.ofNanos(Math.min(left, RECHECK.toNanos())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Verdict.Refused("interrupted");
            }
        }
    }
}
