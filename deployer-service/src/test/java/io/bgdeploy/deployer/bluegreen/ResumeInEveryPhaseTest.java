package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.testing.DeployerInstance;
import io.bgdeploy.deployer.testing.FlowParts;
import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.LockMode;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.deployer.testing.FakeLoadBalancer;
import io.bgdeploy.deployer.testing.FakePlatform;
import io.bgdeploy.deployer.testing.InMemoryLocks;
import io.bgdeploy.deployer.testing.InMemoryStore;
import io.bgdeploy.deployer.testing.RecordingSink;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static io.bgdeploy.deployer.testing.TestDescriptors.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A deployer that stopped at any point of a deployment of v2 over a serving v1 (the state it left
 * is built step by step, as the flow would have left it) is continued by a new deployer: the
 * deployment goes on from its phase to DEPLOYED (a rollback in progress ends FAILURE), exactly the
 * DEPLOYED versions have a workload and a backend, and the frontend and the stable address route
 * to the one DEPLOYED version. Never are both versions gone. The load balancer answers a command id
 * only once, as lb-config-service does, so the continued run must send its commands anew.
 */
class ResumeInEveryPhaseTest {

    /** Where the first deployer stopped, and what it had done by then. */
    enum CrashPoint {
        QUEUED(DeploymentPhase.PREPARING, 0, DeploymentStatus.DEPLOYED),
        CREATING_BEFORE_THE_WORKLOAD(DeploymentPhase.CREATING_GREEN, 0, DeploymentStatus.DEPLOYED),
        CREATING_AFTER_THE_WORKLOAD(DeploymentPhase.CREATING_GREEN, 1, DeploymentStatus.DEPLOYED),
        WAITING_FOR_HEALTH(DeploymentPhase.WAITING_FOR_HEALTH, 1, DeploymentStatus.DEPLOYED),
        SWITCHING_AFTER_THE_BACKEND(DeploymentPhase.SWITCHING, 2, DeploymentStatus.DEPLOYED),
        SWITCHING_AFTER_THE_SWITCH(DeploymentPhase.SWITCHING, 3, DeploymentStatus.DEPLOYED),
        DRAINING(DeploymentPhase.DRAINING, 3, DeploymentStatus.DEPLOYED),
        REMOVING_BLUE_AFTER_ITS_BACKEND(DeploymentPhase.REMOVING_BLUE, 4, DeploymentStatus.DEPLOYED),
        ROLLING_BACK_AFTER_THE_SWITCH_BACK(DeploymentPhase.ROLLING_BACK, 5, DeploymentStatus.FAILURE),
        ROLLING_BACK_AFTER_GREEN_WAS_DELETED(DeploymentPhase.ROLLING_BACK, 6, DeploymentStatus.FAILURE);

        final DeploymentPhase phase;
        /** 0 nothing; 1 green workload; 2 + green backend; 3 + frontend on green; 4 + blue backend removed; 5 = 3 then switched back; 6 = 5 + green deleted. */
        final int progress;
        final DeploymentStatus expected;

        CrashPoint(DeploymentPhase phase, int progress, DeploymentStatus expected) {
            this.phase = phase;
            this.progress = progress;
            this.expected = expected;
        }
    }

    private final InMemoryStore store = new InMemoryStore();
    private final FakePlatform platform = new FakePlatform();
    private final FakeLoadBalancer lb = new FakeLoadBalancer();
    private final InMemoryLocks locks = new InMemoryLocks();
    private final HealthBoard board = new HealthBoard();
    private final RecordingSink sink = new RecordingSink(board);
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private DeployerInstance deployer(String instance) {
        FlowParts flow = new FlowParts(platform, lb, board, sink, store, new FlowSettings(
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO, new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
        return new DeployerInstance(platform, store, sink, flow, new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""),
                LockMode.QUEUE, locks.instance(instance), executor, java.time.Clock.systemUTC());
    }

    /** Version 1 of the app, deployed by a first deployer; returns its deployment id. */
    private String servingFirstVersion(Descriptor d) {
        String v1 = ((Answer.Accepted) deployer("first").submit(d, "test", null, null)).deployment().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", v1).orElseThrow().status().isFinal());
        return v1;
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void aDeploymentLeftInAnyPhaseEndsWithExactlyOneVersionServing(CrashPoint crash) {
        Descriptor d = descriptor("app", "#", "");
        String v1 = servingFirstVersion(d);
        leaveBehind(crash, d);

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", "crashed-00000001").orElseThrow()
                .status().isFinal());
        assertThat(store.find("default", "crashed-00000001").orElseThrow().status()).isEqualTo(crash.expected);
        List<Deployment> deployed = store.list("default", "app").stream()
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED).toList();
        assertThat(deployed).as("one version serves").hasSize(1);
        String version = deployed.get(0).version();
        assertThat(version).isEqualTo(crash.expected == DeploymentStatus.DEPLOYED ? "2" : "1");
        assertThat(platform.workloads).containsOnlyKeys("default/app-" + version);
        assertThat(lb.backends).containsOnlyKeys("default-app-" + version);
        assertThat(lb.frontends)
                .containsExactlyEntriesOf(Map.of(HostName.of("app.example.com"), "default-app-" + version));
        assertThat(platform.stable).containsExactlyEntriesOf(Map.of("default/app", version));
        Set<DeploymentStatus> others = store.list("default", "app").stream().filter(x -> !x.version().equals(version))
                .map(Deployment::status).collect(Collectors.toSet());
        assertThat(others).doesNotContain(DeploymentStatus.DEPLOYED, DeploymentStatus.DEPLOYING,
                DeploymentStatus.UNDEPLOYING);
    }

    @org.junit.jupiter.api.Test
    void aDeploymentLeftWaitingForHealthGoesOnWithTheHealthItsPredecessorStored() {
        Descriptor d = descriptor("app", "#", "");
        servingFirstVersion(d);
        leaveBehind(CrashPoint.WAITING_FOR_HEALTH, d);
        for (var pod : platform.pods("default", "app-2")) {
            store.saveHealth("default", "crashed-00000001", new PodHealthRecord(pod.name(), PodHealthState.READY,
                    new ProbeResult(Instant.now(), true, 200, 3, null, null), Instant.now()));
        }
        sink.probedAlready = p -> p.pod().version().equals("2");

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", "crashed-00000001").orElseThrow()
                .status().isFinal());
        assertThat(store.find("default", "crashed-00000001").orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(lb.frontends).containsExactlyEntriesOf(Map.of(HostName.of("app.example.com"), "default-app-2"));
    }

    @org.junit.jupiter.api.Test
    void withoutStoredHealthADeploymentLeftWaitingForHealthWaitsForItLiveAndFailsWithoutIt() {
        Descriptor d = descriptor("app", "#", "");
        servingFirstVersion(d);
        leaveBehind(CrashPoint.WAITING_FOR_HEALTH, d);
        sink.probedAlready = p -> p.pod().version().equals("2");

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", "crashed-00000001").orElseThrow()
                .status().isFinal());
        Deployment green = store.find("default", "crashed-00000001").orElseThrow();
        assertThat(green.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(green.reason()).contains("health check failed");
        assertThat(lb.frontends).containsExactlyEntriesOf(Map.of(HostName.of("app.example.com"), "default-app-1"));
    }

    @org.junit.jupiter.api.Test
    void aDeploymentLeftDrainingWaitsTheRestOfItsDrainBeforeBlueGoes() {
        Descriptor d = descriptor("app", "#", "");
        String v1 = servingFirstVersion(d);
        leaveBehind(CrashPoint.DRAINING, d);
        Instant until = Instant.now().plusMillis(1500);
        store.save(store.find("default", "crashed-00000001").orElseThrow().withDrainUntil(until));

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", "crashed-00000001").orElseThrow()
                .status().isFinal());
        Deployment blue = store.find("default", v1).orElseThrow();
        assertThat(blue.status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(blue.lastModified()).as("blue removed at the end of the stored drain").isAfterOrEqualTo(until);
        assertThat(store.find("default", "crashed-00000001").orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);
    }

    @org.junit.jupiter.api.Test
    void aRollbackDuringTheRestOfTheDrainSwitchesBackToBlue() {
        Descriptor d = descriptor("app", "#", "");
        String v1 = servingFirstVersion(d);
        leaveBehind(CrashPoint.DRAINING, d);
        store.save(store.find("default", "crashed-00000001").orElseThrow().withDrainUntil(Instant.now().plusSeconds(30)));
        DeployerInstance second = deployer("second");

        second.resumeUnowned();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.isActive("crashed-00000001"));
        await().atMost(Duration.ofSeconds(5)).until(() -> second.rollback("default", "crashed-00000001", "erin").isEmpty());

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", "crashed-00000001").orElseThrow()
                .status().isFinal());
        assertThat(store.find("default", "crashed-00000001").orElseThrow().reason()).contains("rolled back on request of erin");
        assertThat(store.find("default", v1).orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(lb.frontends).containsExactlyEntriesOf(Map.of(HostName.of("app.example.com"), "default-app-1"));
        assertThat(platform.workloads).containsOnlyKeys("default/app-1");
    }

    @org.junit.jupiter.api.Test
    void anUndeployLeftHalfDoneIsFinished() {
        Descriptor d = descriptor("app", "#", "");
        String v1 = servingFirstVersion(d);
        Deployment serving = store.find("default", v1).orElseThrow();
        store.save(serving.withStatus(DeploymentStatus.UNDEPLOYING, null).withPhase(DeploymentPhase.UNDEPLOYING));
        lb.apply(new io.bgdeploy.events.lb.RemoveFrontend(v1 + ".undeploy-frontend", v1, "default", "app",
                HostName.of("app.example.com"), "default-app-1"), Duration.ZERO);

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", v1).orElseThrow().status().isFinal());
        assertThat(store.find("default", v1).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(platform.workloads).isEmpty();
        assertThat(lb.backends).isEmpty();
        assertThat(lb.frontends).isEmpty();
        assertThat(platform.stable).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void anUndeployThatForgetsTheDeploymentIsFinishedAndForgottenByAnotherInstance() {
        Descriptor d = descriptor("app", "#", "");
        String v1 = servingFirstVersion(d);
        store.saveUndeployRequest("default", v1, new io.bgdeploy.deployer.model.UndeployRequest("dave", true));
        store.save(store.find("default", v1).orElseThrow().withStatus(DeploymentStatus.UNDEPLOYING, null));

        deployer("second").resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", v1).isEmpty());
        assertThat(platform.workloads).isEmpty();
        assertThat(lb.frontends).isEmpty();
        assertThat(sink.of(io.bgdeploy.events.deploy.DeploymentFinished.class)).filteredOn(f -> f.deploymentId().equals(v1))
                .extracting(f -> f.reason()).contains("undeployed on request of dave");
    }

    /** The state a deployer stopping at that point leaves: the stored deployment and what it had done. */
    private void leaveBehind(CrashPoint crash, Descriptor d) {
        String id = "crashed-00000001";
        var green = BlueGreenPlanner.workload(id, d, "2", d.podspec(), Map.of());
        int p = crash.progress;
        if (p >= 1 && p != 6) {
            platform.create(green, PodListener.NONE);
        }
        if (p >= 2 && p != 6) {
            lb.apply(new UpsertBackend(id + ".upsert-backend", id, "default", "app", BlueGreenPlanner.backend(d, "2",
                    List.of(new io.bgdeploy.events.lb.ServerSpec("app-2-p0", "10.0.0.9", 80)))), Duration.ZERO);
        }
        if (p >= 3 && p <= 4) {
            platform.routeStable(green);
        }
        if (p >= 3) {
            lb.apply(new SwitchFrontend(id + ".switch-frontend", id, "default", "app", BlueGreenPlanner.frontend(d),
                    "default-app-2", "default-app-1"), Duration.ZERO);
        }
        if (p == 4) {
            lb.apply(new RemoveBackend(id + ".remove-blue-backend", id, "default", "app", "default-app-1"), Duration.ZERO);
        }
        if (p >= 5) {
            lb.apply(new SwitchFrontend(id + ".switch-back", id, "default", "app", BlueGreenPlanner.frontend(d),
                    "default-app-1", "default-app-2"), Duration.ZERO);
        }
        Instant now = Instant.now();
        store.save(new Deployment(id, now, now, "default", "app", "2", DeploymentStatus.DEPLOYING, crash.phase, "test",
                null, null, crash.phase == DeploymentPhase.PREPARING ? null : "1", null, d, null));
    }
}
