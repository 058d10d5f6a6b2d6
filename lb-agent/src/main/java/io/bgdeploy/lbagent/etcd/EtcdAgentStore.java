package io.bgdeploy.lbagent.etcd;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;

/**
 * What an agent writes in etcd: its registration under a lease and the revision its HAProxy
 * serves. The configuration it follows is read by {@link EtcdConfigMirror}.
 */
public final class EtcdAgentStore implements AutoCloseable {

    private final EtcdAccess etcd;
    /** The keep-alive of the current registration's lease (one at a time). */
    private final List<CloseableClient> keepAlives = new CopyOnWriteArrayList<>();

    public EtcdAgentStore(EtcdAccess etcd) {
        this.etcd = etcd;
    }

    public AgentStates agentStates() {
        return etcd.agentStates();
    }

    /**
     * Grants a lease, keeps it alive, and registers the agent under it; returns the lease id. The
     * agent is also recorded as expected (without a lease): lb-config-service waits for it from now
     * on, live or not, until an operator removes it. A registration made before ends its keep-alive
     * first. {@code whenLost} hears why the keep-alive ended (etcd refused it, or the lease is gone):
     * the agent is no longer registered and must register again.
     */
    public long register(AgentRegistration agent, Duration ttl, Consumer<String> whenLost) {
        stopKeepingAlive();
        long lease = etcd.await(etcd.client().getLeaseClient().grant(Math.max(2, ttl.toSeconds()))).getID();
        keepAlives.add(etcd.client().getLeaseClient().keepAlive(lease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse value) {
            }

            @Override
            public void onError(Throwable t) {
                whenLost.accept(String.valueOf(t.getMessage()));
            }

            @Override
            public void onCompleted() {
                whenLost.accept("the lease expired");
            }
        }));
        etcd.await(etcd.client().getKVClient().txn().Then(
                Op.put(bytes(EtcdLayout.agent(agent.agentId())), json(agent), PutOption.builder().withLeaseId(lease).build()),
                Op.put(bytes(EtcdLayout.expected(agent.agentId())), json(new ExpectedAgent(agent.agentId(), agent.host(),
                        agent.startedAt())), PutOption.DEFAULT)).commit());
        return lease;
    }

    public void reportProgress(long lease, AgentProgress progress) {
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied(progress.agentId())), json(progress),
                PutOption.builder().withLeaseId(lease).build()));
    }

    /** Ends the registration: its keep-alive stops, and the lease (when there is one, not 0) is revoked. */
    public void unregister(long lease) {
        stopKeepingAlive();
        if (lease != 0) {
            etcd.await(etcd.client().getLeaseClient().revoke(lease));
        }
    }

    private synchronized void stopKeepingAlive() {
        keepAlives.forEach(CloseableClient::close);
        keepAlives.clear();
    }

    /** A mirror of the configuration on the same connection. */
    public EtcdConfigMirror mirror(Runnable onChange, java.util.function.Consumer<Throwable> onWatchError) {
        return new EtcdConfigMirror(etcd, onChange, onWatchError);
    }

    @Override
    public void close() {
        etcd.close();
    }
}
