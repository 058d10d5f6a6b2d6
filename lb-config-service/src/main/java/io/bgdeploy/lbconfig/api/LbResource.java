package io.bgdeploy.lbconfig.api;

import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.events.Names;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * The configuration and the agents, read only; changes of the configuration go through
 * lb-commands. An operator removes an agent that is gone for good (authenticated).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class LbResource {

    private static final Logger LOG = Logger.getLogger(LbResource.class);

    private final EtcdLbStore store;
    private final OperatorAuth auth;

    public LbResource(EtcdLbStore store, OperatorAuth auth) {
        this.store = store;
        this.auth = auth;
    }

    public record FrontendView(String hostname, String backendId, boolean redirectWww, boolean compression,
                               List<HttpHeader> headers, boolean stickySessions, TlsMode tls, String certificatePath) {
    }

    public record Frontends(long revision, List<FrontendView> frontends, List<String> problems) {
    }

    /** A backend and, when its writer said so, the app ({@code <namespace>/<appName>}) it is a version of. */
    public record BackendView(String id, String app, List<ServerSpec> servers, boolean compression,
                              List<HttpHeader> headers, String healthCheckPath) {
    }

    public record Backends(long revision, List<BackendView> backends) {
    }

    /**
     * @param live         registered under a live lease now
     * @param expected     waited for by every command until an operator removes it
     * @param appliedAt    when the agent last reported (it reports at least every reconcile interval)
     * @param staleSeconds how long ago that was: an agent that cannot read etcd stops reporting, and
     *                     its HAProxy serves what it last applied
     */
    public record AgentView(String agentId, String host, boolean live, boolean expected, Instant startedAt,
                            long appliedRevision, Instant appliedAt, Double staleSeconds, String failure) {
    }

    public record Agents(long revision, List<AgentView> agents) {
    }

    @GET
    @Path("frontends")
    public Frontends frontends() {
        Snapshot s = store.read();
        return new Frontends(s.revision(), s.model().frontends().stream().map(f -> new FrontendView(f.host().value(),
                f.backendId(), f.spec().redirectWww(), f.spec().compression(), f.spec().headers(),
                f.spec().stickySessions(), f.spec().tls(), f.spec().certificatePath())).toList(), s.problems());
    }

    @GET
    @Path("backends")
    public Backends backends() {
        Snapshot s = store.read();
        return new Backends(s.revision(), s.model().backends().stream().map(b -> new BackendView(b.id(),
                b.app() == null ? null : b.app().key(), b.spec().servers(), b.spec().compression(), b.spec().headers(),
                b.spec().healthCheckPath())).toList());
    }

    @GET
    @Path("agents")
    public Agents agents() {
        AgentStates states = store.agentStates();
        java.util.Set<String> ids = new java.util.TreeSet<>(states.expected().keySet());
        ids.addAll(states.agents().keySet());
        return new Agents(states.revision(), ids.stream().map(id -> {
            AgentRegistration a = states.agents().get(id);
            ExpectedAgent e = states.expected().get(id);
            AgentProgress p = states.progress().get(id);
            return new AgentView(id, a != null ? a.host() : e.host(), a != null, e != null, a != null ? a.startedAt() : e.since(),
                    p == null ? 0 : p.revision(), p == null ? null : p.at(), p == null || p.at() == null ? null
                    : java.time.Duration.between(p.at(), Instant.now()).toMillis() / 1000.0, p == null ? null : p.failure());
        }).toList());
    }

    /** Stops waiting for an agent that is gone for good; refused while it is live. */
    @DELETE
    @Path("agents/{agentId}")
    public Response forget(@PathParam("agentId") String agentId, @HeaderParam("Authorization") String authorization) {
        auth.authorize(authorization);
        if (!Names.isServerName(agentId)) {
            throw OperatorAuth.error(Response.Status.BAD_REQUEST, "agent id '" + Names.printable(agentId) + "' is not valid");
        }
        if (!store.forgetAgent(agentId)) {
            throw OperatorAuth.error(Response.Status.CONFLICT, "agent " + agentId + " is live: stop it first; a live agent"
                    + " is waited for anyway, and its registration goes when its lease expires");
        }
        LOG.infof("agent %s removed by an operator: no longer waited for", agentId);
        return Response.noContent().build();
    }
}
