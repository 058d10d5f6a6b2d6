package io.bgdeploy.deployer.intake;

import io.bgdeploy.deployer.bluegreen.BackendFollower;
import io.bgdeploy.deployer.bluegreen.FlowSettings;
import io.bgdeploy.deployer.model.AcceptLocks;
import io.bgdeploy.deployer.model.RunLocks;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.HistoryRetention;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.store.EtcdHistoryLocks;
import io.bgdeploy.deployer.store.EtcdAppLocks;
import io.bgdeploy.deployer.store.EtcdStore;
import io.bgdeploy.deployer.testing.FakeLoadBalancer;
import io.bgdeploy.deployer.testing.FakePlatform;
import io.bgdeploy.deployer.testing.DeployerInstance;
import io.bgdeploy.deployer.testing.FlowParts;
import io.bgdeploy.deployer.testing.RecordingSink;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.testing.SharedInfra;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.bgdeploy.deployer.testing.TestDescriptors.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two deployer instances, each with its own etcd client, store and locks against a real etcd, accept
 * requests for one app alternately, all within one millisecond (a clock that stands still, which is
 * also what two instances whose clocks differ amount to): the deployments run in the order the
 * requests were accepted, each replacing the one before, and the app ends at the last version.
 */
class AcceptOrderTest {

    private static final Clock SAME_MILLISECOND = Clock.fixed(Instant.parse("2026-03-01T12:00:00.123Z"), ZoneOffset.UTC);

    private final FakePlatform platform = new FakePlatform();
    private final FakeLoadBalancer lb = new FakeLoadBalancer();
    private final HealthBoard board = new HealthBoard();
    private final RecordingSink sink = new RecordingSink(board);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Client> clients = new ArrayList<>();
    private final List<EtcdAppLocks> locks = new ArrayList<>();

    @AfterEach
    void stop() {
        executor.shutdownNow();
        locks.forEach(EtcdAppLocks::close);
        clients.forEach(Client::close);
    }

    private EtcdStore store() {
        Client client = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build();
        clients.add(client);
        return new EtcdStore(client);
    }

    private DeployerInstance instance(String name, EtcdStore store) {
        return instance(name, store, true);
    }

    /**
     * @param joined whether the instance takes its locks with the app's history and records with the
     *               accept lock's release ({@link EtcdHistoryLocks}); otherwise it locks, lists, saves and
     *               releases one after the other, as instances of an earlier version do
     */
    private DeployerInstance instance(String name, EtcdStore store, boolean joined) {
        EtcdAppLocks instanceLocks = new EtcdAppLocks(store.client(), Duration.ofSeconds(10), Duration.ofSeconds(10), name);
        locks.add(instanceLocks);
        EtcdHistoryLocks historyLocks = new EtcdHistoryLocks(instanceLocks, store);
        FlowParts flow = new FlowParts(platform, lb, board, sink, store, new FlowSettings(
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ZERO, new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
        return new DeployerInstance(platform, store, sink, flow, new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""),
                LockMode.QUEUE, instanceLocks,
                joined ? historyLocks : AcceptLocks.over(instanceLocks, store),
                joined ? historyLocks : RunLocks.over(instanceLocks, store), executor,
                SAME_MILLISECOND,
                new HistoryRetention(HistoryRetention.DEFAULT_KEEP));
    }

    @Test
    void requestsAcceptedInOneMillisecondByTwoInstancesRunInTheOrderAccepted() {
        EtcdStore storeA = store();
        List<DeployerInstance> instances = List.of(instance("order-a", storeA), instance("order-b", store()));
        String app = "order-" + UUID.randomUUID().toString().substring(0, 8);
        int requests = 12;

        List<String> ids = new ArrayList<>();
        for (int v = 1; v <= requests; v++) {
            Answer answer = instances.get(v % 2).submit(descriptor(app, String.valueOf(v), ""), "test",
                    "request-" + v, null);
            assertThat(answer).isInstanceOf(Answer.Accepted.class);
            ids.add(((Answer.Accepted) answer).deployment().id());
        }
        assertThat(ids).as("ids alone cannot order these").allMatch(id -> id.startsWith(ids.get(0).substring(0, 8)));

        await().atMost(Duration.ofSeconds(60)).until(() -> storeA.list("default", app).stream()
                .allMatch(d -> d.status().isFinal()));
        List<Deployment> history = storeA.list("default", app);
        assertThat(history).extracting(Deployment::id).as("listed in the order accepted").containsExactlyElementsOf(ids);
        for (int v = 1; v <= requests; v++) {
            Deployment d = history.get(v - 1);
            assertThat(d.version()).isEqualTo(String.valueOf(v));
            assertThat(d.blueVersion()).as("version %d replaced the one accepted before it", v)
                    .isEqualTo(v == 1 ? null : String.valueOf(v - 1));
            assertThat(d.status()).isEqualTo(v == requests ? DeploymentStatus.DEPLOYED : DeploymentStatus.UNDEPLOYED);
        }
        assertThat(lb.frontends).containsEntry(HostName.of(app + ".example.com"), "default-" + app + "-" + requests);
        assertThat(platform.workloads).containsOnlyKeys("default/" + app + "-" + requests);
    }

    @Test
    void theNextNumberFollowsTheOrderAccepted() {
        EtcdStore storeA = store();
        List<DeployerInstance> instances = List.of(instance("next-a", storeA), instance("next-b", store()));
        String app = "next-" + UUID.randomUUID().toString().substring(0, 8);

        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Answer answer = instances.get(i % 2).submit(descriptor(app, "#", ""), "test", null, null);
            versions.add(((Answer.Accepted) answer).deployment().version());
        }

        assertThat(versions).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        await().atMost(Duration.ofSeconds(60)).until(() -> storeA.list("default", app).stream()
                .allMatch(d -> d.status().isFinal()));
        assertThat(storeA.list("default", app)).extracting(Deployment::blueVersion)
                .containsExactly(null, "1", "2", "3", "4", "5", "6", "7");
        assertThat(lb.frontends).containsEntry(HostName.of(app + ".example.com"), "default-" + app + "-8");
    }

    @Test
    void concurrentRequestsForTheNextNumberEachGetTheirOwnAlsoBesideAnInstanceThatLocksAndListsApart() throws Exception {
        EtcdStore storeA = store();
        // b accepts as instances of the version before did: a rolling upgrade has both at once
        List<DeployerInstance> instances = List.of(instance("mixed-a", storeA), instance("mixed-b", store(), false));
        String app = "mixed-" + UUID.randomUUID().toString().substring(0, 8);
        int perInstance = 5;
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<Answer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < perInstance * 2; i++) {
                DeployerInstance instance = instances.get(i % 2);
                answers.add(clients.submit(() -> instance.submit(descriptor(app, "#", ""), "test", null, null)));
            }
            List<String> versions = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).isInstanceOf(Answer.Accepted.class);
                versions.add(((Answer.Accepted) answer.get()).deployment().version());
            }
            assertThat(versions).as("no number given twice").doesNotHaveDuplicates().hasSize(perInstance * 2);
        } finally {
            clients.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> storeA.list("default", app).stream()
                .allMatch(d -> d.status().isFinal()));
        assertThat(storeA.list("default", app)).extracting(Deployment::version).as("each the one accepted before it + 1")
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    }
}
