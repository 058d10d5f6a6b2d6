package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.support.Observers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;

/**
 * A stand-in for one HAProxy agent: registers as an agent does (under a lease, and as expected) and
 * reports every revision of the configuration it sees as served. {@link #die()} ends its lease as a
 * crash would once the lease expires; it stays expected.
 */
public final class ConfirmingAgent implements AutoCloseable {

    private final EtcdAccess etcd;
    private final long lease;
    private final CloseableClient keepAlive;
    private final List<Watch.Watcher> watchers = new ArrayList<>();

    public ConfirmingAgent(String endpoint, String agentId) {
        etcd = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(10));
        lease = etcd.await(etcd.client().getLeaseClient().grant(30)).getID();
        keepAlive = etcd.client().getLeaseClient().keepAlive(lease, Observers.observer(r -> { }));
        PutOption withLease = PutOption.builder().withLeaseId(lease).build();
        etcd.await(etcd.client().getKVClient().txn().Then(
                Op.put(bytes(EtcdLayout.agent(agentId)), json(new AgentRegistration(agentId, "test", Instant.now())), withLease),
                Op.put(bytes(EtcdLayout.expected(agentId)), json(new ExpectedAgent(agentId, "test", Instant.now())),
                        PutOption.DEFAULT)).commit());
        for (String prefix : List.of(EtcdLayout.PROXY, EtcdLayout.CONFIG)) {
            watchers.add(etcd.client().getWatchClient().watch(bytes(prefix), WatchOption.builder().isPrefix(true).build(),
                    response -> etcd.client().getKVClient().put(bytes(EtcdLayout.applied(agentId)), json(new AgentProgress(
                            agentId, response.getHeader().getRevision(), Instant.now(), null, 0)), withLease)));
        }
    }

    /** Stops confirming and ends the lease: the agent is no longer live, but still expected. */
    public void die() {
        watchers.forEach(Watch.Watcher::close);
        keepAlive.close();
        etcd.await(etcd.client().getLeaseClient().revoke(lease));
    }

    @Override
    public void close() {
        watchers.forEach(Watch.Watcher::close);
        keepAlive.close();
        etcd.close();
    }
}
