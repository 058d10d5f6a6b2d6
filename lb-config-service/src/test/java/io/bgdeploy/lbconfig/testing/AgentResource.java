package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.support.Observers;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;

/**
 * A stand-in for one HAProxy agent: registers under a lease as an agent does and reports every
 * revision of the configuration it sees as served. The real agent and HAProxy are tested in
 * lb-agent and, with this service, in system-tests; here the service's side of the protocol is.
 */
public class AgentResource implements QuarkusTestResourceLifecycleManager {

    public static final String AGENT_ID = "agent-quarkus-test";

    private EtcdAccess etcd;
    private CloseableClient keepAlive;
    private final List<Watch.Watcher> watchers = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(10));
        long lease = etcd.await(etcd.client().getLeaseClient().grant(30)).getID();
        keepAlive = etcd.client().getLeaseClient().keepAlive(lease, Observers.observer(r -> { }));
        PutOption withLease = PutOption.builder().withLeaseId(lease).build();
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent(AGENT_ID)),
                json(new AgentRegistration(AGENT_ID, "test", Instant.now())), withLease));
        for (String prefix : List.of(EtcdLayout.PROXY, EtcdLayout.CONFIG)) {
            watchers.add(etcd.client().getWatchClient().watch(bytes(prefix), WatchOption.builder().isPrefix(true).build(),
                    response -> etcd.client().getKVClient().put(bytes(EtcdLayout.applied(AGENT_ID)), json(new AgentProgress(
                            AGENT_ID, response.getHeader().getRevision(), Instant.now(), null, 0)), withLease)));
        }
        return Map.of();
    }

    @Override
    public void stop() {
        watchers.forEach(Watch.Watcher::close);
        keepAlive.close();
        etcd.close();
    }
}
