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
 * the app's index by an instance that decoded none of them before (a new store), through the index
 * after one of them was written (what the deployer does between its listings), and by reading the
 * whole namespace and filtering (what it did before the index), alternated in one run. The
 * deployer lists an app at every accepted deployment and between the deployments it runs, and the
 * API lists it on request.
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
            java.util.Map<String, List<Deployment>> byApp = new java.util.HashMap<>();
            for (int v = 1; v <= PER_APP; v++) {
                for (int a = 0; a < APPS; a++) {
                    Deployment d = EtcdStoreTest.deployment(ns, "app" + a, String.valueOf(v), DeploymentStatus.UNDEPLOYED);
                    store.save(d);
                    byApp.computeIfAbsent("app" + a, k -> new java.util.ArrayList<>()).add(d);
                }
            }
            Histogram cold = new Histogram(3);
            Histogram oneChanged = new Histogram(3);
            Histogram scanned = new Histogram(3);
            for (int i = 0; i < ROUNDS; i++) {
                String app = "app" + (i % APPS);
                long t0 = System.nanoTime();
                List<Deployment> readAll = new EtcdStore(client).list(ns, app); // decoded nothing before
                long t1 = System.nanoTime();
                Deployment changed = byApp.get(app).get(i % PER_APP);
                store.save(changed.withStatus(i % 2 == 0 ? DeploymentStatus.FAILURE : DeploymentStatus.UNDEPLOYED, "round " + i));
                long t2 = System.nanoTime();
                List<Deployment> viaIndex = store.list(ns, app); // one deployment written since its last listing
                long t3 = System.nanoTime();
                List<Deployment> viaScan = store.list(ns, null).stream().filter(d -> d.appName().equals(app)).toList();
                long t4 = System.nanoTime();
                assertThat(viaIndex).hasSize(PER_APP).containsExactlyElementsOf(viaScan);
                assertThat(readAll).hasSize(PER_APP);
                if (i >= APPS) { // the first pass over the apps warms up
                    cold.recordValue((t1 - t0) / 1000);
                    oneChanged.recordValue((t3 - t2) / 1000);
                    scanned.recordValue((t4 - t3) / 1000);
                }
            }
            System.out.printf("namespace of %d deployments (%d apps x %d), one app listed %d times each way%n",
                    APPS * PER_APP, APPS, PER_APP, ROUNDS - APPS);
            print("index, nothing decoded before", cold);
            print("index, one written since", oneChanged);
            print("whole namespace, filtered", scanned);
            System.out.printf("scan / index with one written since, at p50: %.1fx%n",
                    (double) scanned.getValueAtPercentile(50) / oneChanged.getValueAtPercentile(50));
        }
    }

    private static void print(String what, Histogram h) {
        System.out.printf("%-28s p50 %6.1f ms  p99 %6.1f ms%n", what, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0);
    }
}
