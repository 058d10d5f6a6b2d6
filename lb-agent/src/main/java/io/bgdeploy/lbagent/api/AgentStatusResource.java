package io.bgdeploy.lbagent.api;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What this agent and its HAProxy are doing: read only, for operators and benchmarks. */
@Path("/status")
@Produces(MediaType.APPLICATION_JSON)
public class AgentStatusResource {

    private final HaproxyAgent agent;

    public AgentStatusResource(HaproxyAgent agent) {
        this.agent = agent;
    }

    /**
     * @param haproxyReloads      the HAProxy master's reload counter (every reload since HAProxy started)
     * @param etcdSecondsSinceHeard how long ago etcd last answered this agent
     * @param haproxyMaxConnections the maxconn HAProxy's current worker runs with: the configured one, or lower when
     *                              HAProxy's open-files limit cannot hold it; 0 until the agent read it
     * @param serversLeaving        old versions' servers in maintenance, deleted once their connections end
     * @param serversNotDeletable   of those, the ones HAProxy refused to delete for another reason (see the agent's warning)
     */
    public record AgentStatus(String agentId, long appliedRevision, boolean healthy, String lastFailure, boolean haproxyServing,
                              int reloads, int runtimeUpdates, int haproxyReloads, double etcdSecondsSinceHeard,
                              int haproxyMaxConnections, int serversLeaving, int serversNotDeletable) {
    }

    @GET
    public AgentStatus status() {
        HaproxyAgent.Status s = agent.status();
        HaproxyAgent.Leaving leaving = agent.leaving();
        double since = s.etcdHeardMillis() == 0 ? -1 : (System.currentTimeMillis() - s.etcdHeardMillis()) / 1000.0;
        return new AgentStatus(agent.agentId(), s.appliedRevision(), s.healthy(), s.lastFailure(), s.haproxyServing(),
                s.reloads(), s.runtimeUpdates(), s.haproxyReloads(), since, s.haproxyMaxConnections(),
                leaving.servers(), leaving.notDeletable());
    }
}
