package io.bgdeploy.lbconfig.api;

import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;

/** Read-only view of the configuration and of the agents; changes go through lb-commands. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class LbResource {

    private final EtcdLbStore store;

    public LbResource(EtcdLbStore store) {
        this.store = store;
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

    public record AgentView(String agentId, String host, Instant startedAt, long appliedRevision, Instant appliedAt,
                            String failure) {
    }

    public record Agents(long revision, List<AgentView> agents) {
    }

    @GET
    @Path("frontends")
    public Frontends frontends() {
        Snapshot s = store.read();
        return new Frontends(s.revision(), s.model().frontends().stream().map(f -> new FrontendView(f.hostname(),
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
        return new Agents(states.revision(), states.agents().values().stream().map(a -> {
            AgentProgress p = states.progress().get(a.agentId());
            return new AgentView(a.agentId(), a.host(), a.startedAt(), p == null ? 0 : p.revision(),
                    p == null ? null : p.at(), p == null ? null : p.failure());
        }).toList());
    }
}
