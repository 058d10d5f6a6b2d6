package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.lbconfig.config.LbConfig;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Waits until every live agent serves a revision (or a later one). */
@ApplicationScoped
public class AgentWaiter {

    private static final long POLL_MILLIS = 5;

    private final EtcdLbStore store;
    private final LbConfig config;

    public AgentWaiter(EtcdLbStore store, LbConfig config) {
        this.store = store;
        this.config = config;
    }

    /** The agents that confirmed, or why not. */
    public record Result(boolean applied, List<String> agents, String reason) {
    }

    public Result await(long revision) {
        return await(store, revision, config.minAgents(), config.applyTimeout());
    }

    /** Polls the agents' progress in etcd until all live agents (at least {@code minAgents}) serve {@code revision}. */
    public static Result await(EtcdLbStore store, long revision, int minAgents, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String waitingFor = "no agent seen";
        while (true) {
            try {
                AgentStates states = store.agentStates();
                List<String> behind = new ArrayList<>();
                for (String agent : states.agents().keySet()) {
                    AgentProgress p = states.progress().get(agent);
                    if (p != null && p.failure() != null && p.failedRevision() >= revision) {
                        return new Result(false, List.of(), "agent " + agent + " cannot apply revision "
                                + p.failedRevision() + ": " + p.failure());
                    }
                    if (p == null || p.revision() < revision) {
                        behind.add(agent + " at " + (p == null ? "no revision" : "revision " + p.revision()));
                    }
                }
                int live = states.agents().size();
                if (behind.isEmpty() && live >= minAgents) {
                    return new Result(true, List.copyOf(states.agents().keySet()), null);
                }
                waitingFor = live < minAgents
                        ? live + " live agent(s), " + minAgents + " required"
                        : "waiting for " + String.join(", ", behind);
            } catch (EtcdUnavailableException e) {
                waitingFor = "etcd unavailable: " + e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return new Result(false, List.of(), "not confirmed by the load balancer within " + timeout.toMillis()
                        + " ms (" + waitingFor + ")");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(false, List.of(), "interrupted");
            }
        }
    }
}
