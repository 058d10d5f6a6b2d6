package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.testing.DeployerInstance;
import io.bgdeploy.deployer.testing.FlowParts;
import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.LockMode;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.testing.FakeLoadBalancer;
import io.bgdeploy.deployer.testing.FakePlatform;
import io.bgdeploy.deployer.testing.InMemoryLocks;
import io.bgdeploy.deployer.testing.InMemoryStore;
import io.bgdeploy.deployer.testing.RecordingSink;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.bgdeploy.deployer.testing.TestDescriptors.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two deployer instances sharing one store, platform, load balancer and set of locks, as two
 * replicas of the service share etcd and the cluster.
 */
class SharedAppsTest {

    private final InMemoryStore store = new InMemoryStore();
    private final FakePlatform platform = new FakePlatform();
    private final FakeLoadBalancer lb = new FakeLoadBalancer();
    private final InMemoryLocks locks = new InMemoryLocks();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HealthBoard board = new HealthBoard();
    private final RecordingSink sink = new RecordingSink(board);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private DeployerInstance instance(String name, Duration drainDelay) {
        FlowParts flow = new FlowParts(platform, lb, board, sink, store, new FlowSettings(
                Duration.ofSeconds(2), Duration.ofSeconds(1), drainDelay, new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
        return new DeployerInstance(platform, store, sink, flow, new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""),
                LockMode.QUEUE, locks.instance(name), executor, java.time.Clock.systemUTC());
    }

    private String submit(DeployerInstance deployer, Descriptor d) {
        return ((Answer.Accepted) deployer.submit(d, "test", null, null)).deployment().id();
    }

    private Deployment stored(String id) {
        return store.find("default", id).orElseThrow();
    }

    private void awaitFinal(String id) {
        await().atMost(Duration.ofSeconds(15)).until(() -> stored(id).status().isFinal());
    }

    private void awaitPhase(String id, DeploymentPhase phase) {
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(id).phase() == phase);
    }

    /** Deploys v1 and then v2 of the app through the instance; returns their ids once v2 drains. */
    private List<String> drainingSecondVersion(DeployerInstance deployer, String app) {
        String v1 = submit(deployer, descriptor(app, "#", ""));
        awaitFinal(v1);
        String v2 = submit(deployer, descriptor(app, "#", ""));
        awaitPhase(v2, DeploymentPhase.DRAINING);
        return List.of(v1, v2);
    }

    @Test
    void aDeploymentAcceptedByOneInstanceWaitsForTheOneThatRunsTheApp() {
        DeployerInstance a = instance("a", Duration.ofMillis(1500));
        DeployerInstance b = instance("b", Duration.ofMillis(1500));
        List<String> ids = drainingSecondVersion(a, "shared");
        String v1 = ids.get(0);
        String v2 = ids.get(1);

        String v3 = submit(b, descriptor("shared", "#", ""));

        assertThat(stored(v3).version()).isEqualTo("3");
        awaitFinal(v3);
        assertThat(List.of(stored(v1).status(), stored(v2).status(), stored(v3).status())).containsExactly(
                DeploymentStatus.UNDEPLOYED, DeploymentStatus.UNDEPLOYED, DeploymentStatus.DEPLOYED);
        // v3 began only after v2 had finished: the app's deployments never overlapped
        int v2Finished = indexOf(e -> e instanceof DeploymentFinished f && f.deploymentId().equals(v2));
        int v3Created = indexOf(e -> e instanceof DeploymentPhaseChanged p && p.deploymentId().equals(v3)
                && p.phase() == DeploymentPhase.CREATING_GREEN);
        assertThat(v2Finished).isNotNegative().isLessThan(v3Created);
        assertThat(platform.workloads).containsOnlyKeys("default/shared-3");
        assertThat(lb.frontends).containsEntry(HostName.of("shared.example.com"), "default-shared-3");
    }

    private int indexOf(java.util.function.Predicate<Object> p) {
        var events = List.copyOf(sink.events);
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void whenAnInstanceLosesItsLockAnotherFinishesItsDeploymentOnce() {
        DeployerInstance a = instance("a", Duration.ofSeconds(2));
        DeployerInstance b = instance("b", Duration.ofSeconds(2));
        List<String> ids = drainingSecondVersion(a, "handover");
        String v1 = ids.get(0);
        String v2 = ids.get(1);

        locks.expire("a");
        b.resumeUnowned();

        awaitFinal(v2);
        assertThat(stored(v2).status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(stored(v1).status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(store.logs("default", v2)).anyMatch(l -> l.contains("deployer instance b continues this deployment"));
        // a, at the end of its drain, finds it no longer holds the lock and stops without acting
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.isActive(v2));
        assertThat(sink.of(DeploymentFinished.class)).filteredOn(f -> f.deploymentId().equals(v2)).hasSize(1);
        assertThat(sink.of(DeploymentPhaseChanged.class)).filteredOn(p -> p.deploymentId().equals(v2)
                && p.phase() == DeploymentPhase.REMOVING_BLUE).hasSize(1);
        assertThat(platform.workloads).containsOnlyKeys("default/handover-2");
    }

    @Test
    void aRollbackAskedOfTheOtherInstanceSwitchesBack() {
        DeployerInstance a = instance("a", Duration.ofSeconds(30));
        DeployerInstance b = instance("b", Duration.ofSeconds(30));
        String v2 = drainingSecondVersion(a, "undo").get(1);

        assertThat(b.rollback("default", v2, "carol")).isEmpty();

        awaitFinal(v2);
        assertThat(stored(v2).status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(stored(v2).reason()).contains("rolled back on request of carol");
        assertThat(lb.frontends).containsEntry(HostName.of("undo.example.com"), "default-undo-1");
        assertThat(platform.workloads).containsOnlyKeys("default/undo-1");
    }

    @Test
    void aDeploymentThatNeverStartedIsRunNotRolledBack() {
        Descriptor d = descriptor("queued", "#", "");
        Instant now = Instant.now();
        store.save(new Deployment("queuedid-00000001", now, now, "default", "queued", "1", DeploymentStatus.DEPLOYING,
                DeploymentPhase.PREPARING, "test", null, null, null, null, d, null));
        DeployerInstance b = instance("b", Duration.ZERO);

        b.resumeUnowned();

        awaitFinal("queuedid-00000001");
        assertThat(stored("queuedid-00000001").status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(platform.workloads).containsOnlyKeys("default/queued-1");
    }

    @Test
    void anAppRunByALiveInstanceIsNotTakenOver() {
        DeployerInstance a = instance("a", Duration.ofSeconds(2));
        DeployerInstance b = instance("b", Duration.ofSeconds(2));
        String v2 = drainingSecondVersion(a, "busy").get(1);

        b.resumeUnowned();

        awaitFinal(v2);
        assertThat(stored(v2).status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(store.logs("default", v2)).noneMatch(l -> l.contains("continues this deployment"));
        assertThat(sink.of(DeploymentFinished.class)).filteredOn(f -> f.deploymentId().equals(v2)).hasSize(1);
    }
}
