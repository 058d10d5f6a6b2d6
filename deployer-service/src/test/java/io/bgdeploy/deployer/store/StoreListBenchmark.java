package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.testing.SharedInfra;
import io.etcd.jetcd.Client;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listing one app's deployments in a namespace with a long history, against a real etcd: through
 * the app's index (what the deployer does) and by reading the whole namespace and filtering (what
 * it did before the index), alternated in one run. The deployer lists an app at every accepted
 * deployment and between the deployments it runs, and the API lists it on request.
 * Run: {@code mvn -B -pl deployer-service test -Dtest=StoreListBenchmark}.
 */
class StoreListBenchmark {

    private static final int APPS = 20;
    private static final int PER_APP = 100;
    private static final int ROUNDS = 200;

    @Test
    void listOneAppThroughItsIndexAndByScanningTheNamespace() {
        try (Client client = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build()) {
            EtcdStore store = new EtcdStore(client);
            String ns = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            for (int v = 1; v <= PER_APP; v++) {
                for (int a = 0; a < APPS; a++) {
                    store.save(EtcdStoreTest.deployment(ns, "app" + a, String.valueOf(v), DeploymentStatus.UNDEPLOYED));
                }
            }
            Histogram indexed = new Histogram(3);
            Histogram scanned = new Histogram(3);
            for (int i = 0; i < ROUNDS; i++) {
                String app = "app" + (i % APPS);
                long t0 = System.nanoTime();
                List<Deployment> viaIndex = store.list(ns, app);
                long t1 = System.nanoTime();
                List<Deployment> viaScan = store.list(ns, null).stream().filter(d -> d.appName().equals(app)).toList();
                long t2 = System.nanoTime();
                assertThat(viaIndex).hasSize(PER_APP).extracting(Deployment::id)
                        .containsExactlyElementsOf(viaScan.stream().map(Deployment::id).toList());
                if (i >= APPS) { // the first pass over the apps warms up
                    indexed.recordValue((t1 - t0) / 1000);
                    scanned.recordValue((t2 - t1) / 1000);
                }
            }
            System.out.printf("namespace of %d deployments (%d apps x %d), one app listed %d times each way%n",
                    APPS * PER_APP, APPS, PER_APP, ROUNDS - APPS);
            print("through the app's index", indexed);
            print("whole namespace, filtered", scanned);
            System.out.printf("scan / index at p50: %.1fx%n",
                    (double) scanned.getValueAtPercentile(50) / indexed.getValueAtPercentile(50));
        }
    }

    private static void print(String what, Histogram h) {
        System.out.printf("%-28s p50 %6.1f ms  p99 %6.1f ms%n", what, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0);
    }
}
