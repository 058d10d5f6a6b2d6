package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.model.AgentUrl;
import io.bgdeploy.lbconfig.model.AgentConfirmation;
import io.bgdeploy.lbconfig.model.AgentConfirmation.Verdict;
import io.bgdeploy.lbconfig.model.ServedRevisions;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits until the agents confirm that their HAProxy serves a revision, as {@link AgentConfirmation}
 * judges it. Two ways to hear an agent, whichever comes first: each live agent that registered a
 * URL is asked directly ({@link ServedRevisions}, answered as soon as its HAProxy serves the
 * revision), and every agent's report in etcd arrives through {@link AgentStatesWatch}. The
 * instance that waits is the one that asks, so any number of instances can wait at once; an agent
 * that cannot be asked is heard through etcd, as before.
 */
public final class AgentConfirmations {

    private static final Logger LOG = Logger.getLogger(AgentConfirmations.class);
    /** How long to wait for a change at most before judging again (a watch can go silent). */
    private static final Duration RECHECK = Duration.ofMillis(250);
    /** The longest an agent is asked to hold its answer (its own limit). */
    private static final Duration MAX_ASK = Duration.ofSeconds(30);

    private final AgentStatesWatch agents;
    private final ServedRevisions served;
    private final int minAgents;
    private final Duration timeout;
    /** Agents whose registered URL was refused, each named once per URL. */
    private final Set<String> unusableUrls = ConcurrentHashMap.newKeySet();

    public AgentConfirmations(AgentStatesWatch agents, ServedRevisions served, int minAgents, Duration timeout) {
        this.agents = agents;
        this.served = served;
        this.minAgents = minAgents;
        this.timeout = timeout;
    }

    /** Confirmed, or refused with the reason: an agent cannot apply it, or not confirmed within the timeout. */
    public Verdict await(long revision) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> asked = new HashSet<>();
        List<CompletableFuture<?>> questions = new ArrayList<>();
        try {
            String waitingFor = "no agent seen";
            while (true) {
                long seen = agents.version();
                try {
                    AgentStates states = agents.current();
                    ask(states, revision, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), asked, questions);
                    Verdict verdict = AgentConfirmation.judge(states, agents.heard(), revision, minAgents);
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
        } finally {
            questions.forEach(q -> q.cancel(true));
        }
    }

    /** Asks every live agent with a URL that was not asked yet for this revision. */
    private void ask(AgentStates states, long revision, Duration left, Set<String> asked, List<CompletableFuture<?>> questions) {
        for (AgentRegistration agent : states.agents().values()) {
            if (agent.url() == null || !asked.add(agent.agentId())) {
                continue;
            }
            AgentUrl url;
            try {
                url = AgentUrl.parse(agent.url());
            } catch (IllegalArgumentException e) {
                if (unusableUrls.add(agent.agentId() + " " + agent.url())) {
                    LOG.warnf("agent %s registered a URL that is not asked, it is heard through etcd only: %s",
                            agent.agentId(), e.getMessage());
                }
                continue;
            }
            Duration wait = left.compareTo(MAX_ASK) < 0 ? left : MAX_ASK;
            questions.add(served.served(agent.agentId(), url, revision, wait)
                    .thenAccept(revisionServed -> {
                        LOG.debugf("agent %s said it serves revision %d (asked for %d)", agent.agentId(), revisionServed, revision);
                        agents.heard(agent.agentId(), revisionServed);
                    })
                    .exceptionally(failure -> {
                        LOG.debugf("agent %s not heard directly (heard through etcd): %s", agent.agentId(), failure.getMessage());
                        return null;
                    }));
        }
    }
}
