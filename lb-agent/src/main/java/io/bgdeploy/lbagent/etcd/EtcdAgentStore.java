package io.bgdeploy.lbagent.etcd;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdAccess.RawRead;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.SnapshotDecoder;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.model.Snapshot;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.List;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;

/**
 * What an agent reads and writes in etcd: the configuration it follows (read at one revision,
 * watched from a revision on), its registration under a lease, and the revision its HAProxy serves.
 */
public final class EtcdAgentStore implements AutoCloseable {

    private final EtcdAccess etcd;

    public EtcdAgentStore(EtcdAccess etcd) {
        this.etcd = etcd;
    }

    public Snapshot read() {
        RawRead raw = etcd.readConfig();
        return SnapshotDecoder.decode(raw.revision(), raw.entries());
    }

    public AgentStates agentStates() {
        return etcd.agentStates();
    }

    /** Grants a lease, keeps it alive, and registers the agent under it; returns the lease id. */
    public long register(AgentRegistration agent, Duration ttl, StreamObserver<LeaseKeepAliveResponse> keepAlive,
                         List<CloseableClient> keepers) {
        long lease = etcd.await(etcd.client().getLeaseClient().grant(Math.max(2, ttl.toSeconds()))).getID();
        keepers.add(etcd.client().getLeaseClient().keepAlive(lease, keepAlive));
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent(agent.agentId())), json(agent),
                PutOption.builder().withLeaseId(lease).build()));
        return lease;
    }

    public void reportProgress(long lease, AgentProgress progress) {
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied(progress.agentId())), json(progress),
                PutOption.builder().withLeaseId(lease).build()));
    }

    public void revoke(long lease) {
        etcd.await(etcd.client().getLeaseClient().revoke(lease));
    }

    /** Watches a prefix from a revision on (inclusive). */
    public Watch.Watcher watch(String prefix, long fromRevision, Watch.Listener listener) {
        return etcd.client().getWatchClient().watch(bytes(prefix),
                WatchOption.builder().isPrefix(true).withRevision(fromRevision).withProgressNotify(true).build(), listener);
    }

    @Override
    public void close() {
        etcd.close();
    }
}
