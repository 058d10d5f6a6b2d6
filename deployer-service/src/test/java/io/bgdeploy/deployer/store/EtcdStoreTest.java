package io.bgdeploy.deployer.store;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.infra.testing.SharedInfra;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The deployer's store against a real etcd. */
class EtcdStoreTest {

    private final Client client = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build();
    private final EtcdStore store = new EtcdStore(client);

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theIndexOfUnfinishedDeploymentsFollowsTheirStatus() throws Exception {
        String ns = "idx-" + UUID.randomUUID().toString().substring(0, 8);
        Descriptor descriptor = EventCodec.read(("{\"namespace\": \"" + ns + "\", \"appName\": \"shop\", \"newVersion\": \"1\","
                + " \"podspec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx\"}]}}").getBytes(), Descriptor.class);
        Instant now = Instant.now();
        Deployment d = new Deployment(Ids.newId(now), now, now, ns, "shop", "1", DeploymentStatus.DEPLOYING,
                DeploymentPhase.PREPARING, "test", null, null, null, null, descriptor);

        store.save(d);
        assertThat(store.unfinished()).containsEntry(d.id(), ns + "/shop");

        store.save(d.withStatus(DeploymentStatus.DEPLOYED, null));
        assertThat(store.unfinished()).doesNotContainKey(d.id());
        assertThat(store.find(ns, d.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);

        store.save(d.withStatus(DeploymentStatus.UNDEPLOYING, null));
        assertThat(store.unfinished()).containsEntry(d.id(), ns + "/shop");
        store.delete(ns, d.id());
        assertThat(store.unfinished()).doesNotContainKey(d.id());
        assertThat(store.find(ns, d.id())).isEmpty();
    }

    @Test
    void logLinesOfTwoStoresOfOneDeploymentAreAllKeptInOrder() {
        String ns = "log-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Ids.newId(Instant.now());
        Client other = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build();
        try {
            EtcdStore second = new EtcdStore(other);
            for (int i = 0; i < 20; i++) {
                store.appendLog(ns, id, "a" + i);
                second.appendLog(ns, id, "b" + i);
            }
        } finally {
            other.close();
        }
        assertThat(store.logs(ns, id)).hasSize(40)
                .containsSubsequence("a0", "a1", "a19").containsSubsequence("b0", "b1", "b19");
    }
}
