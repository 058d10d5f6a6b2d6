package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;

import java.time.Duration;
import java.util.List;

/**
 * An etcd of a test's own, for what would disturb other tests on the shared one: a compaction ends
 * their watches, a pruning pass with a clock days ahead forgets their command outcomes.
 */
public final class OwnEtcd implements AutoCloseable {

    private final EtcdServer server;
    private final EtcdAccess access;

    private OwnEtcd(EtcdServer server, EtcdAccess access) {
        this.server = server;
        this.access = access;
    }

    /** Starts one with its data under the shared work directory's {@code name}. */
    public static OwnEtcd start(String name) {
        int port = FreePorts.next();
        EtcdServer server = EtcdServer.start(SharedInfra.workDir(name), port, FreePorts.next());
        return new OwnEtcd(server, EtcdAccess.connect(List.of("http://127.0.0.1:" + port), Duration.ofSeconds(5)));
    }

    public EtcdAccess access() {
        return access;
    }

    @Override
    public void close() {
        access.close();
        server.close();
    }
}
