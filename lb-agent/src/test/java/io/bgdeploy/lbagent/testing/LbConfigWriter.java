package io.bgdeploy.lbagent.testing;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.FrontendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceHeader;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static org.awaitility.Awaitility.await;

/**
 * Writes the load-balancer configuration into etcd as lb-config-service does (the same layout and
 * JSON), one transaction per change, so the agent can be tested without the command service.
 */
public final class LbConfigWriter implements AutoCloseable {

    private final EtcdAccess etcd;

    /**
     * Connects, and waits until etcd has answered once: a new client's first call also sets up its
     * channel, and on a starved machine (load average 25) a test's first write once passed the 10 s
     * deadline of a call while etcd logged no slow request.
     */
    public LbConfigWriter(String endpoint) {
        this.etcd = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(10));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.GENERATION))) != null);
    }

    public EtcdAccess etcd() {
        return etcd;
    }

    /** Writes a backend, a version of {@code app}, with its servers and options; returns the revision of the write. */
    public long upsertBackend(AppRef app, BackendSpec backend) {
        List<Op> ops = new ArrayList<>();
        Set<String> servers = backend.servers().stream().map(s -> EtcdLayout.proxyServer(backend.id(), s.name()))
                .collect(Collectors.toSet());
        etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.proxyBackend(backend.id())),
                GetOption.builder().isPrefix(true).withKeysOnly(true).build())).getKvs().stream()
                .map(kv -> EtcdAccess.string(kv.getKey())).filter(key -> !servers.contains(key))
                .forEach(key -> ops.add(Op.delete(bytes(key), DeleteOption.DEFAULT)));
        List<ReferenceHeader> headers = backend.headers().stream().map(h -> new ReferenceHeader(h.name(), h.value())).toList();
        for (ServerSpec s : backend.servers()) {
            ops.add(Op.put(bytes(EtcdLayout.proxyServer(backend.id(), s.name())),
                    json(new ReferenceServer(s.address(), s.port(), backend.compression(), headers)), PutOption.DEFAULT));
        }
        ops.add(Op.put(bytes(EtcdLayout.configBackend(backend.id())),
                json(new BackendOptions(backend.compression(), backend.headers(), backend.healthCheckPath(),
                        app == null ? null : app.key())), PutOption.DEFAULT));
        return commit(ops);
    }

    /** Routes a frontend to a backend; returns the revision of the write. */
    public long switchFrontend(FrontendSpec frontend, String backendId) {
        return commit(List.of(
                Op.put(bytes(EtcdLayout.proxyFrontend(frontend.host())), json(new ReferenceFrontend(
                        frontend.host().value(), "http", backendId, frontend.redirectWww())),
                        PutOption.DEFAULT),
                Op.put(bytes(EtcdLayout.configFrontend(frontend.host())), json(new FrontendOptions(frontend.compression(),
                        frontend.headers(), frontend.stickySessions(), frontend.tls(), frontend.certificatePath())),
                        PutOption.DEFAULT)));
    }

    /**
     * Writes the configuration's generation key, as lb-config-service does with every command: a
     * newer revision of the configuration that changes no frontend and no backend.
     */
    public long touchGeneration() {
        return commit(List.of()); // every commit writes the generation key
    }

    public long removeBackend(String backendId) {
        return commit(List.of(Op.delete(bytes(EtcdLayout.proxyBackend(backendId)), DeleteOption.builder().isPrefix(true).build()),
                Op.delete(bytes(EtcdLayout.configBackend(backendId)), DeleteOption.DEFAULT)));
    }

    public long removeFrontend(HostName host) {
        return commit(List.of(Op.delete(bytes(EtcdLayout.proxyFrontend(host)), DeleteOption.DEFAULT),
                Op.delete(bytes(EtcdLayout.configFrontend(host)), DeleteOption.DEFAULT)));
    }

    /** The progress an agent reported last, or null. */
    public AgentProgress progress(String agentId) {
        return etcd.agentStates().progress().get(agentId);
    }

    /** Waits until the agent reports {@code revision} (or a later one) as served, and returns its progress. */
    public AgentProgress awaitApplied(String agentId, long revision, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            AgentProgress p = progress(agentId);
            return p != null && p.revision() >= revision;
        });
        return progress(agentId);
    }

    /** Waits until the agent reports that it cannot apply {@code revision}, and returns its progress. */
    public AgentProgress awaitFailure(String agentId, long revision, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            AgentProgress p = progress(agentId);
            return p != null && p.failure() != null && p.failedRevision() >= revision;
        });
        return progress(agentId);
    }

    private long commit(List<Op> ops) {
        List<Op> all = new ArrayList<>(ops);
        all.add(Op.put(bytes(EtcdLayout.GENERATION), bytes("test"), PutOption.DEFAULT));
        return etcd.await(etcd.client().getKVClient().txn().Then(all.toArray(Op[]::new)).commit()).getHeader().getRevision();
    }

    @Override
    public void close() {
        etcd.close();
    }
}
