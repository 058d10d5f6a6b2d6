package io.bgdeploy.lbconfig.model;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the load balancer serves a revision: every agent that serves traffic reports that its
 * HAProxy serves that revision or a later one. Those are the live agents (at least {@code
 * minAgents}) and the expected ones: an agent that registered once stays expected until an
 * operator removes it, so an HAProxy whose agent died, and which keeps the old routing, is waited
 * for and named instead of being forgotten when its lease expires. Pure: decided on the agents'
 * registrations and progress as read from etcd.
 */
public final class AgentConfirmation {

    /** What the agents say about a revision. */
    public sealed interface Verdict {
        /** Every agent serves it; the agents by id. */
        record Confirmed(List<String> agents) implements Verdict {
        }

        /** An agent cannot apply it: waiting longer changes nothing. */
        record Refused(String reason) implements Verdict {
        }

        /** Not yet: who is behind, or how many agents are missing. */
        record Waiting(String reason) implements Verdict {
        }
    }

    private AgentConfirmation() {
    }

    public static Verdict judge(AgentStates states, long revision, int minAgents) {
        List<String> behind = new ArrayList<>();
        for (String agent : states.expected().keySet()) {
            if (!states.agents().containsKey(agent)) {
                behind.add(agent + " (expected, not live: its HAProxy may still route the old way; remove it through"
                        + " DELETE /agents/" + agent + " if it is gone for good)");
            }
        }
        for (String agent : states.agents().keySet()) {
            AgentProgress p = states.progress().get(agent);
            if (p != null && p.failure() != null && p.failedRevision() >= revision) {
                return new Verdict.Refused("agent " + agent + " cannot apply revision " + p.failedRevision() + ": " + p.failure());
            }
            if (p == null || p.revision() < revision) {
                behind.add(agent + " at " + (p == null ? "no revision" : "revision " + p.revision()));
            }
        }
        int live = states.agents().size();
        if (live < minAgents) {
            return new Verdict.Waiting(live + " live agent(s), " + minAgents + " required");
        }
        if (!behind.isEmpty()) {
            return new Verdict.Waiting("waiting for " + String.join(", ", behind));
        }
        return new Verdict.Confirmed(states.agents().keySet().stream().sorted().toList());
    }
}
