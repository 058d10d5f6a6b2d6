package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.testing.DeployerInstance;
import io.bgdeploy.deployer.testing.FlowParts;
import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.LockMode;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.ResourcePolicy;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.HistoryRetention;
import io.bgdeploy.deployer.testing.FakeLoadBalancer;
import io.bgdeploy.deployer.testing.FakePlatform;
import io.bgdeploy.deployer.testing.InMemoryLocks;
import io.bgdeploy.deployer.testing.InMemoryStore;
import io.bgdeploy.deployer.testing.RecordingSink;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodStarted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.bgdeploy.deployer.testing.TestDescriptors.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** The blue-green flow against an in-memory platform, load balancer and store: no servers. */
class BlueGreenFlowTest {

    private final InMemoryStore store = new InMemoryStore();
    private final FakePlatform platform = new FakePlatform();
    private final FakeLoadBalancer lb = new FakeLoadBalancer();
    private final HealthBoard board = new HealthBoard();
    private final RecordingSink sink = new RecordingSink(board);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final InMemoryLocks locks = new InMemoryLocks();
    private final FlowParts flow = new FlowParts(platform, lb, board, sink, store, new FlowSettings(
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(300),
            new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
    /** Every deployment is accepted within one millisecond: neither ids nor creation times can order them. */
    private final java.time.Clock sameMillisecond = java.time.Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"),
            java.time.ZoneOffset.UTC);
    private final DeployerInstance deployer = new DeployerInstance(platform, store, sink, flow,
            new ResourcePolicy(ResourcePolicy.Mode.FILL, "100m", "500m", "128Mi", "256Mi"), LockMode.QUEUE,
            locks.instance("a"), executor, sameMillisecond);

    /** Every change of a stable address, with the backend the app's frontend routed to at that moment. */
    private final List<String> stableChanges = new java.util.concurrent.CopyOnWriteArrayList<>();

    {
        platform.onStableChange = (app, version) -> stableChanges.add(app + " -> " + version + " while the frontend routes to "
                + lb.frontends.get(HostName.of(app.substring(app.indexOf('/') + 1) + ".example.com")));
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Deployment deploy(Descriptor d) {
        return deployWith(deployer, d);
    }

    private Deployment deployWith(DeployerInstance instance, Descriptor d) {
        Answer answer = instance.submit(d, "test", null, null);
        assertThat(answer).isInstanceOf(Answer.Accepted.class);
        String id = ((Answer.Accepted) answer).deployment().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", id).orElseThrow().status().isFinal());
        return store.find("default", id).orElseThrow();
    }

    @Test
    void consecutiveDeploymentsNumberVersionsAndReplaceBlue() {
        Deployment v1 = deploy(descriptor("shop", "#", ""));
        Deployment v2 = deploy(descriptor("shop", "#", ""));

        assertThat(v1.version()).isEqualTo("1");
        assertThat(v2.version()).isEqualTo("2");
        assertThat(v2.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(store.find("default", v1.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(store.savedTogether()).as("green's end and blue's in one write: never neither nor both serving")
                .anySatisfy(together -> assertThat(together).extracting(Deployment::id, Deployment::status)
                        .containsExactly(tuple(v2.id(), DeploymentStatus.DEPLOYED), tuple(v1.id(), DeploymentStatus.UNDEPLOYED)));
        assertThat(platform.workloads).containsOnlyKeys("default/shop-2");
        assertThat(lb.frontends).containsEntry(HostName.of("shop.example.com"), "default-shop-2");
        assertThat(lb.backends).containsOnlyKeys("default-shop-2");
        SwitchFrontend second = lb.commands.stream().filter(SwitchFrontend.class::isInstance).map(SwitchFrontend.class::cast)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(second.expectedBackendId()).isEqualTo("default-shop-1");
        assertThat(lb.backends.get("default-shop-2").backend().servers()).hasSize(2);
    }

    /**
     * Each listing reads every deployment the app's history keeps (100 by default) from etcd and
     * decodes them, which under load costs tens of milliseconds.
     */
    @Test
    void aDeploymentListsItsAppsHistoryOnceToBeAcceptedAndOnceToRunAndNotAgainToRemoveBlue() {
        deploy(descriptor("shop", "#", ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> !deployer.busyWith("default/shop"));
        int before = store.listings("default", "shop");

        Deployment v2 = deploy(descriptor("shop", "#", ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> !deployer.busyWith("default/shop"));

        assertThat(v2.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        // accepted; its run picked (the recovery on taking the lock, the blue it finds and the versions
        // left running that REMOVING_BLUE removes read the same listing); what runs next, under the
        // lock and once more after releasing it (a deployment accepted in between)
        assertThat(store.listings("default", "shop") - before).isEqualTo(4);
    }

    @Test
    void anAppsHistoryKeepsItsNewestDeploymentsAndTheirLogsAndTheNumberingGoesOn() {
        DeployerInstance keepingTwo = new DeployerInstance(platform, store, sink, flow,
                new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""), LockMode.QUEUE, locks.instance("a"), executor,
                java.time.Clock.systemUTC(), new HistoryRetention(2));
        List<Deployment> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            done.add(deployWith(keepingTwo, descriptor("shop", "#", "")));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> store.list("default", "shop").size() == 2);
        assertThat(store.list("default", "shop")).extracting(Deployment::version).containsExactly("3", "4");
        assertThat(store.find("default", done.get(0).id())).isEmpty();
        assertThat(store.logLines("default", done.get(0).id())).as("its log left with it").isEmpty();
        assertThat(store.logLines("default", done.get(3).id())).isNotEmpty();
        assertThat(deployWith(keepingTwo, descriptor("shop", "#", "")).version()).isEqualTo("5");
    }

    @Test
    void aVersionThatAFailureAfterTheSwitchLeftRunningIsRemovedByTheNextDeployment() {
        Deployment v1 = deploy(descriptor("pay", "#", ""));
        java.util.concurrent.atomic.AtomicBoolean platformFails = new java.util.concurrent.atomic.AtomicBoolean(true);
        platform.onDelete = workload -> {
            if (workload.equals("default/pay-1") && platformFails.get()) {
                throw new IllegalStateException("the platform does not answer");
            }
        };
        Deployment v2 = deploy(descriptor("pay", "#", ""));

        assertThat(v2.status()).as("green serves: DEPLOYED despite the failure").isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(store.find("default", v1.id()).orElseThrow().status()).as("blue could not be removed")
                .isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(platform.workloads).containsKeys("default/pay-1", "default/pay-2");

        platformFails.set(false);
        Deployment v3 = deploy(descriptor("pay", "#", ""));

        assertThat(v3.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(v3.blueVersion()).isEqualTo("2");
        assertThat(store.find("default", v2.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(store.find("default", v1.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(store.logs("default", v1.id())).anyMatch(l -> l.contains("replaced by version 3"));
        assertThat(store.logs("default", v3.id())).anyMatch(l -> l.contains("version 1 (still DEPLOYED"));
        assertThat(platform.workloads).containsOnlyKeys("default/pay-3");
        assertThat(lb.backends).containsOnlyKeys("default-pay-3");
        assertThat(lb.frontends).containsEntry(HostName.of("pay.example.com"), "default-pay-3");
    }

    @Test
    void blueLeavesTheLoadBalancerBeforeItsWorkloadIsDeletedAndItsPodsStoppingLaterLeaveNoTrace() {
        Deployment v1 = deploy(descriptor("order", "#", ""));
        List<String> backendsAtDelete = new java.util.concurrent.CopyOnWriteArrayList<>();
        platform.onDelete = workload -> backendsAtDelete.add(workload + " with backends " + lb.backends.keySet());

        deploy(descriptor("order", "#", ""));

        assertThat(backendsAtDelete).containsExactly("default/order-1 with backends [default-order-2]");
        assertThat(store.logs("default", v1.id())).anyMatch(l -> l.contains("replaced by version 2"));
        assertThat(platform.finishStopping()).as("blue's pods stop after the step").isEqualTo(2);
        assertThat(board.snapshot(v1.id()).running()).as("blue's pods gone after it was forgotten are not remembered")
                .isEmpty();
        assertThat(sink.of(PodGone.class)).extracting(g -> g.pod().podName()).containsExactlyInAnyOrder("order-1-p0",
                "order-1-p1");
    }

    @Test
    void aPhasesStepRunsWhileItsEventIsOnItsWayToTheBroker() {
        deploy(descriptor("cart", "#", ""));
        // the broker confirms version 2's CREATING_GREEN only once its step created green's workload: a
        // journal that awaited the confirmation before the step would wait until the event is not taken
        sink.confirmation = event -> isPhase(event, "2", DeploymentPhase.CREATING_GREEN) ? () -> {
            try {
                await().atMost(Duration.ofSeconds(3)).until(() -> platform.workloads.containsKey("default/cart-2"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new EventSink.NotPublished("not confirmed: green's workload was never created", e);
            }
        } : () -> {
        };

        Deployment v2 = deploy(descriptor("cart", "#", ""));

        assertThat(v2.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(lb.frontends).containsEntry(HostName.of("cart.example.com"), "default-cart-2");
    }

    @Test
    void aPhaseEventTheBrokerDoesNotTakeStopsTheDeploymentAtTheNextPhaseBeforeTheSwitch() {
        deploy(descriptor("till", "#", ""));
        sink.confirmation = event -> isPhase(event, "2", DeploymentPhase.WAITING_FOR_HEALTH) ? () -> {
            throw new EventSink.NotPublished("Kafka did not take WAITING_FOR_HEALTH (test)", null);
        } : () -> {
        };

        Deployment v2 = deploy(descriptor("till", "#", ""));

        assertThat(v2.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(lb.frontends).containsEntry(HostName.of("till.example.com"), "default-till-1");
        assertThat(lb.commands).filteredOn(SwitchFrontend.class::isInstance).map(c -> ((SwitchFrontend) c).backendId())
                .doesNotContain("default-till-2");
        assertThat(platform.workloads).containsOnlyKeys("default/till-1");
        assertThat(sink.of(DeploymentPhaseChanged.class)).filteredOn(c -> c.version().equals("2"))
                .extracting(DeploymentPhaseChanged::phase).doesNotContain(DeploymentPhase.SWITCHING)
                .endsWith(DeploymentPhase.WAITING_FOR_HEALTH, DeploymentPhase.ROLLING_BACK);
        assertThat(store.logs("default", v2.id())).anyMatch(l -> l.contains("Kafka did not take WAITING_FOR_HEALTH (test)"));
        assertThat(sink.of(DeploymentFinished.class)).last().extracting(DeploymentFinished::status)
                .isEqualTo(DeploymentStatus.FAILURE);
    }

    private static boolean isPhase(io.bgdeploy.events.EventData event, String version, DeploymentPhase phase) {
        return event instanceof DeploymentPhaseChanged c && c.version().equals(version) && c.phase() == phase;
    }

    @Test
    void theSwitchCarriesGreensBackendSoThatSwitchingIsOneLoadBalancerCommand() {
        deploy(descriptor("one", "#", ""));
        Deployment v2 = deploy(descriptor("one", "#", ""));

        List<LbCommand> switching = lb.commands.stream().filter(c -> c.deploymentId().equals(v2.id()))
                .filter(c -> c instanceof UpsertBackend || c instanceof SwitchFrontend).toList();
        assertThat(switching).singleElement().isInstanceOfSatisfying(SwitchFrontend.class, s -> {
            assertThat(s.expectedBackendId()).isEqualTo("default-one-1");
            assertThat(s.backendId()).isEqualTo("default-one-2");
            assertThat(s.backend().servers()).hasSize(2);
        });
        assertThat(lb.frontends).containsEntry(HostName.of("one.example.com"), "default-one-2");
    }

    @Test
    void aSwitchRejectedWithItsBackendRollsBackWithBlueServingAndNoGreenBackendLeft() {
        deploy(descriptor("stale", "#", ""));
        lb.reject = c -> c instanceof SwitchFrontend s && s.backendId().equals("default-stale-2");

        Deployment v2 = deploy(descriptor("stale", "#", ""));

        assertThat(v2.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(v2.reason()).contains("rejected SwitchFrontend");
        assertThat(lb.frontends).containsEntry(HostName.of("stale.example.com"), "default-stale-1");
        assertThat(lb.backends).containsOnlyKeys("default-stale-1");
        assertThat(platform.workloads).containsOnlyKeys("default/stale-1");
        assertThat(platform.stable).containsEntry("default/stale", "1");
    }

    @Test
    void withoutAFrontendOnlyTheBackendIsSent() {
        Descriptor d = descriptor("headless", "#", "");
        d = new Descriptor(null, null, null, d.namespace(), d.appName(), d.newVersion(), d.replicas(), d.deploymentType(),
                null, false, false, List.of(), false, null, null, null, false, false, Map.of(), List.of(), List.of(),
                d.podspec());
        Deployment result = deploy(d);

        assertThat(result.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(lb.commands).filteredOn(c -> c.deploymentId().equals(result.id()))
                .noneMatch(SwitchFrontend.class::isInstance).anyMatch(UpsertBackend.class::isInstance);
        assertThat(lb.backends).containsKey("default-headless-1");
    }

    @Test
    void theStableAddressSelectsGreenOnlyOnceTheFrontendRoutesToIt() {
        deploy(descriptor("stable", "#", ""));
        deploy(descriptor("stable", "#", ""));

        assertThat(stableChanges).containsExactly(
                "default/stable -> 1 while the frontend routes to default-stable-1",
                "default/stable -> 2 while the frontend routes to default-stable-2");
        assertThat(platform.stable).containsExactly(Map.entry("default/stable", "2"));
    }

    @Test
    void everyPhaseIsPublishedInOrderWithTheDurationOfThePreviousOne() {
        Deployment v1 = deploy(descriptor("phases", "#", ""));
        deploy(descriptor("phases", "#", ""));
        List<DeploymentPhaseChanged> phases = sink.of(DeploymentPhaseChanged.class).stream()
                .filter(p -> p.version().equals("2")).toList();
        assertThat(phases).extracting(DeploymentPhaseChanged::phase).containsExactly(DeploymentPhase.CREATING_GREEN,
                DeploymentPhase.WAITING_FOR_HEALTH, DeploymentPhase.SWITCHING, DeploymentPhase.DRAINING,
                DeploymentPhase.REMOVING_BLUE);
        assertThat(phases).allSatisfy(p -> assertThat(p.previousPhaseMillis()).isNotNull());
        assertThat(sink.of(DeploymentAccepted.class)).hasSize(2);
        assertThat(store.logs("default", v1.id())).anyMatch(l -> l.contains("replaced by version 2"));
    }

    @Test
    void failingHealthCheckFailsAndLeavesBlueServing() {
        deploy(descriptor("pay", "#", ""));
        sink.unhealthy = p -> p.pod().version().equals("2");

        Deployment v2 = deploy(descriptor("pay", "#", ""));

        assertThat(v2.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(v2.reason()).contains("health check failed").contains("UNHEALTHY");
        assertThat(platform.workloads).containsOnlyKeys("default/pay-1");
        assertThat(lb.frontends).containsEntry(HostName.of("pay.example.com"), "default-pay-1");
        assertThat(lb.commands).noneMatch(c -> c instanceof SwitchFrontend s && s.backendId().equals("default-pay-2"));
        assertThat(sink.of(DeploymentFinished.class)).anyMatch(f -> f.status() == DeploymentStatus.FAILURE
                && f.version().equals("2"));
    }

    @Test
    void ignoredFailingHealthCheckSucceeds() {
        sink.unhealthy = p -> true;
        Deployment d = deploy(descriptor("ignored", "#", ", \"ignoreHealthCheck\": true"));
        assertThat(d.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(store.logs("default", d.id())).anyMatch(l -> l.contains("ignored because ignoreHealthCheck is true"));
    }

    @Test
    void aDescriptorThatChangesOnlyTheCaseOfTheFrontendSwitchesItAndKeepsIt() {
        Deployment v1 = deploy(descriptor("case", "#", ""));
        Descriptor d = descriptor("case", "#", "");
        d = new Descriptor(null, null, null, d.namespace(), d.appName(), d.newVersion(), d.replicas(), d.deploymentType(),
                "Case.Example.COM", false, false, List.of(), false, null, null, null, false, false, Map.of(), List.of(),
                List.of(), d.podspec());
        Deployment v2 = deploy(d);

        assertThat(v2.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        SwitchFrontend second = lb.commands.stream().filter(SwitchFrontend.class::isInstance).map(SwitchFrontend.class::cast)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(second.expectedBackendId()).isEqualTo("default-case-1");
        assertThat(lb.commands).noneMatch(RemoveFrontend.class::isInstance);
        assertThat(lb.frontends).containsEntry(HostName.of("case.example.com"), "default-case-2");
        assertThat(store.find("default", v1.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
    }

    @Test
    void withoutHealthCheckNoProbeIsAskedFor() {
        Descriptor d = descriptor("nocheck", "#", "");
        d = new Descriptor(null, null, null, d.namespace(), d.appName(), d.newVersion(), d.replicas(), d.deploymentType(),
                d.frontend(), false, false, List.of(), false, null, null, null, false, false, Map.of(), List.of(), List.of(),
                d.podspec());
        Deployment result = deploy(d);
        assertThat(result.status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(sink.of(PodStarted.class)).allSatisfy(p -> assertThat(p.healthCheck()).isNull());
    }

    @Test
    void aDeployedVersionIsRefused() {
        deploy(descriptor("dup", "7", ""));
        Answer again = deployer.submit(descriptor("dup", "7", ""), "test", null, null);
        assertThat(again).isInstanceOfSatisfying(Answer.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(Answer.Rejected.Kind.CONFLICT);
            assertThat(r.reason()).contains("already deployed");
        });
    }

    @Test
    void failedFirstDeploymentLeavesNoFrontendNoBackendNoWorkload() {
        lb.reject = c -> c instanceof SwitchFrontend;
        Deployment d = deploy(descriptor("first", "#", ""));
        assertThat(d.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(lb.frontends).doesNotContainKey(HostName.of("first.example.com"));
        assertThat(lb.backends).isEmpty();
        assertThat(platform.workloads).isEmpty();
        assertThat(lb.commands).anyMatch(c -> c instanceof RemoveFrontend);
        assertThat(lb.commands).anyMatch(c -> c instanceof RemoveBackend r && r.backendId().equals("default-first-1"));
        assertThat(platform.stable).isEmpty();
        assertThat(stableChanges).isEmpty();
    }

    @Test
    void invalidDescriptorIsRejectedWithEveryProblem() {
        Descriptor bad = descriptor("Bad_Name", "#", ", \"healthCheckType\": \"tcp\"");
        Answer answer = deployer.submit(bad, "test", null, null);
        assertThat(answer).isInstanceOfSatisfying(Answer.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(Answer.Rejected.Kind.INVALID);
            assertThat(r.problems()).anyMatch(p -> p.startsWith("appName"))
                    .anyMatch(p -> p.startsWith("healthCheckType"));
        });
    }

    /** A deployer whose drain lasts long enough for a test to ask for a rollback. */
    private DeployerInstance slowDrainDeployer() {
        FlowParts slowDrain = new FlowParts(platform, lb, board, sink, store, new FlowSettings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30),
                new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
        return new DeployerInstance(platform, store, sink, slowDrain, new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""),
                LockMode.QUEUE, locks.instance("a"), executor, java.time.Clock.systemUTC());
    }

    @Test
    void rollbackDuringTheDrainSwitchesBackToBlue() {
        DeployerInstance slow = slowDrainDeployer();
        deploy(descriptor("rb", "#", ""));
        Answer.Accepted v2 = (Answer.Accepted) slow.submit(descriptor("rb", "#", ""), "test", null, null);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                store.find("default", v2.deployment().id()).orElseThrow().phase() == DeploymentPhase.DRAINING);
        assertThat(lb.frontends).containsEntry(HostName.of("rb.example.com"), "default-rb-2");
        assertThat(platform.stable).containsEntry("default/rb", "2");

        await().atMost(Duration.ofSeconds(5)).until(() -> slow.rollback("default", v2.deployment().id(), "alice").isEmpty());

        await().atMost(Duration.ofSeconds(10)).until(() ->
                store.find("default", v2.deployment().id()).orElseThrow().status().isFinal());
        Deployment result = store.find("default", v2.deployment().id()).orElseThrow();
        assertThat(result.status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(result.reason()).contains("rolled back on request of alice");
        assertThat(lb.frontends).containsEntry(HostName.of("rb.example.com"), "default-rb-1");
        assertThat(platform.workloads).containsOnlyKeys("default/rb-1");
        assertThat(platform.stable).containsEntry("default/rb", "1");
    }

    @Test
    void aRollbackKeepsBothVersionsUntilTheLoadBalancerConfirmsThatGreenServesNothing() {
        DeployerInstance slow = slowDrainDeployer();
        deploy(descriptor("keep", "#", ""));
        String v2 = ((Answer.Accepted) slow.submit(descriptor("keep", "#", ""), "test", null, null)).deployment().id();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                store.find("default", v2).orElseThrow().phase() == DeploymentPhase.DRAINING);

        lb.pause();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.rollback("default", v2, "alice").isEmpty());

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.of(DeploymentPhaseChanged.class).stream()
                .anyMatch(p -> p.deploymentId().equals(v2) && p.phase() == DeploymentPhase.ROLLING_BACK
                        && p.message() != null && p.message().startsWith("both versions keep running")));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                platform.workloads.keySet().equals(java.util.Set.of("default/keep-1", "default/keep-2"))
                        && store.find("default", v2).orElseThrow().status() == DeploymentStatus.DEPLOYING);
        assertThat(lb.commands.stream().filter(c -> c.deploymentId().equals(v2) && c instanceof SwitchFrontend s
                && s.backendId().equals("default-keep-1")).count()).as("switch back sent again").isGreaterThan(1);

        lb.resume();

        await().atMost(Duration.ofSeconds(20)).until(() -> store.find("default", v2).orElseThrow().status().isFinal());
        assertThat(store.find("default", v2).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(lb.frontends).containsEntry(HostName.of("keep.example.com"), "default-keep-1");
        assertThat(lb.backends).containsOnlyKeys("default-keep-1");
        assertThat(platform.workloads).containsOnlyKeys("default/keep-1");
        assertThat(store.logs("default", v2)).anyMatch(l -> l.contains("the load balancer confirmed that no frontend routes"
                + " to default-keep-2"));
    }

    private java.util.Set<String> serverAddresses(String backendId) {
        return lb.backends.get(backendId).backend().servers().stream().map(io.bgdeploy.events.lb.ServerSpec::address)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The pods of a workload that run now, not at one of the given addresses, whose start was published. */
    private List<PodStarted> newPodsStarted(String workload, java.util.Set<String> oldAddresses) {
        java.util.Set<String> running = new java.util.HashSet<>();
        platform.pods("default", workload).stream().filter(p -> !oldAddresses.contains(p.address()))
                .forEach(p -> running.add(p.name()));
        return sink.of(PodStarted.class).stream().filter(p -> running.contains(p.pod().podName())).toList();
    }

    @Test
    void aServingVersionWhosePodsThePlatformLostIsStartedAgainAndItsBackendFollowsTheNewPods() {
        Deployment v1 = deploy(descriptor("lost", "#", ""));
        java.util.Set<String> before = serverAddresses("default-lost-1");
        platform.losePods("default", "lost-1");
        // the new pods start slowly: health-service finds them unhealthy first (connection refused)
        sink.unhealthy = p -> p.pod().version().equals("1");

        deployer.restoreServing();

        await().atMost(Duration.ofSeconds(10)).until(() -> newPodsStarted("lost-1", before).size() == 2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                serverAddresses("default-lost-1").equals(before));
        for (PodStarted started : newPodsStarted("lost-1", before)) {
            board.onHealth(new io.bgdeploy.events.pod.PodHealthChanged(started.pod(), io.bgdeploy.events.pod.PodHealthState.READY,
                    new io.bgdeploy.events.pod.ProbeResult(java.time.Instant.now(), true, 200, 3, null, null)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Collections.disjoint(serverAddresses("default-lost-1"),
                before));
        assertThat(serverAddresses("default-lost-1")).as("the backend names the new pods").isEqualTo(
                platform.pods("default", "lost-1").stream().map(io.bgdeploy.deployer.model.PodInfo::address)
                        .collect(java.util.stream.Collectors.toSet()));
        assertThat(store.list("default", "lost")).as("no new deployment").extracting(Deployment::id).containsExactly(v1.id());
        // the follower writes its log line once the load balancer has confirmed the update
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store.logs("default", v1.id()))
                .anyMatch(l -> l.contains("pods started again"))
                .anyMatch(l -> l.contains("backend default-lost-1 follows the pods of version 1")));
        assertThat(deployer.restoredWorkloads()).isEqualTo(1);
        assertThat(lb.frontends).containsEntry(HostName.of("lost.example.com"), "default-lost-1");
    }

    @Test
    void theBackendFollowsAServingPodThatMoves() {
        deploy(descriptor("mover", "#", ""));
        await().atMost(Duration.ofSeconds(5)).until(() -> serverAddresses("default-mover-1").size() == 2);
        java.util.Set<String> before = serverAddresses("default-mover-1");

        platform.replacePod("default", "mover-1");

        java.util.Set<String> now = platform.pods("default", "mover-1").stream()
                .map(io.bgdeploy.deployer.model.PodInfo::address).collect(java.util.stream.Collectors.toSet());
        await().atMost(Duration.ofSeconds(10)).until(() -> serverAddresses("default-mover-1").equals(now));
        assertThat(now).isNotEqualTo(before);
    }

    @Test
    void aStoppedFollowerSendsNothingMoreAndItsStopWaitsForTheUpdateOnItsWay() throws Exception {
        Deployment v1 = deploy(descriptor("leaver", "#", ""));
        await().atMost(Duration.ofSeconds(5)).until(() -> serverAddresses("default-leaver-1").size() == 2);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        lb.onArrival = c -> {
            if (c.commandId().contains(".servers-")) {
                held.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        platform.replacePod("default", "leaver-1");
        assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the follower sends an update").isTrue();

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> flow.backends().stop(v1.id()));
        // the update on its way is still held: stop must not return before it went out
        assertThat(catchThrowable(() -> stopped.get(300, java.util.concurrent.TimeUnit.MILLISECONDS)))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        release.countDown();
        stopped.get(10, java.util.concurrent.TimeUnit.SECONDS);
        long updates = lb.commands.stream().filter(c -> c.commandId().contains(".servers-")).count();

        platform.replacePod("default", "leaver-1");

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                lb.commands.stream().filter(c -> c.commandId().contains(".servers-")).count() == updates);
    }

    @Test
    void afterARestartAMovedPodReplacesOnlyItselfInTheBackend() {
        deploy(descriptor("restarted", "#", ""));
        java.util.Set<String> before = serverAddresses("default-restarted-1");
        // a new deployer process: it knows no pod's health, it only hears of changes from now on
        HealthBoard freshBoard = new HealthBoard();
        RecordingSink freshSink = new RecordingSink(freshBoard);
        BackendFollower follower = new BackendFollower(platform, lb, freshBoard, store, Duration.ofSeconds(1), executor);
        FlowParts freshFlow = new FlowParts(platform, lb, freshBoard, freshSink, store, new FlowSettings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                follower);
        DeployerInstance restarted = new DeployerInstance(platform, store, freshSink, freshFlow,
                new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""), LockMode.QUEUE,
                locks.instance("b"), executor, java.time.Clock.systemUTC());
        restarted.reattachServing();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() ->
                serverAddresses("default-restarted-1").equals(before));

        platform.replacePod("default", "restarted-1");

        java.util.Set<String> now = platform.pods("default", "restarted-1").stream()
                .map(io.bgdeploy.deployer.model.PodInfo::address).collect(java.util.stream.Collectors.toSet());
        await().atMost(Duration.ofSeconds(10)).until(() -> serverAddresses("default-restarted-1").equals(now));
    }

    @Test
    void deploymentsOfOneAppAreQueuedAndOfManyAppsRunInParallel() {
        List<String> ids = new java.util.ArrayList<>();
        for (String app : List.of("a1", "a2", "a3", "a1", "a1")) {
            ids.add(((Answer.Accepted) deployer.submit(descriptor(app, "#", ""), "test", null, null)).deployment().id());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream()
                .allMatch(id -> store.find("default", id).orElseThrow().status().isFinal()));
        assertThat(ids).extracting(id -> store.find("default", id).orElseThrow().status()).containsExactly(
                DeploymentStatus.UNDEPLOYED, DeploymentStatus.DEPLOYED, DeploymentStatus.DEPLOYED,
                DeploymentStatus.UNDEPLOYED, DeploymentStatus.DEPLOYED);
        assertThat(platform.workloads).containsOnlyKeys("default/a1-3", "default/a2-1", "default/a3-1");
    }

    @Test
    void aDeploymentLeftUnfinishedByAnUnexpectedErrorIsNotOvertakenByTheOneQueuedBehindIt() {
        Deployment v1 = deploy(descriptor("stall", "#", ""));
        sink.unhealthy = p -> p.pod().version().equals("2");
        java.util.concurrent.atomic.AtomicBoolean platformFails = new java.util.concurrent.atomic.AtomicBoolean(true);
        platform.onDelete = workload -> {
            if (workload.equals("default/stall-2") && platformFails.get()) {
                throw new IllegalStateException("the platform does not answer");
            }
        };
        String v2 = ((Answer.Accepted) deployer.submit(descriptor("stall", "#", ""), "test", null, null)).deployment().id();
        String v3 = ((Answer.Accepted) deployer.submit(descriptor("stall", "#", ""), "test", null, null)).deployment().id();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", v2).orElseThrow().phase()
                == DeploymentPhase.ROLLING_BACK && !deployer.isActive(v2));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", v3).orElseThrow().phase() == DeploymentPhase.PREPARING);

        platformFails.set(false);
        deployer.resumeUnowned();

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find("default", v3).orElseThrow().status().isFinal());
        assertThat(store.find("default", v2).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILURE);
        assertThat(store.find("default", v3).orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(store.find("default", v3).orElseThrow().blueVersion()).isEqualTo("1");
        assertThat(store.find("default", v1.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(platform.workloads).containsOnlyKeys("default/stall-3");
    }

    @Test
    void withLockModeRefuseASecondDeploymentOfABusyAppIsRefusedWithTheReason() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        LoadBalancer slowLb = (command, timeout) -> {
            release.await();
            return lb.apply(command, timeout);
        };
        FlowParts slowFlow = new FlowParts(platform, slowLb, board, sink, store, new FlowSettings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, new BlueGreenPlanner.HealthTiming(200, 100, 1, 2)),
                new BackendFollower(platform, lb, board, store, Duration.ofSeconds(1), executor));
        DeployerInstance refusing = new DeployerInstance(platform, store, sink, slowFlow,
                new ResourcePolicy(ResourcePolicy.Mode.OFF, "", "", "", ""), LockMode.REFUSE,
                locks.instance("a"), executor, java.time.Clock.systemUTC());
        Answer.Accepted first = (Answer.Accepted) refusing.submit(descriptor("busy", "#", ""), "test", null, null);

        Answer second = refusing.submit(descriptor("busy", "#", ""), "test", null, null);
        Answer otherApp = refusing.submit(descriptor("idle", "#", ""), "test", null, null);
        release.countDown();

        assertThat(second).isInstanceOfSatisfying(Answer.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(Answer.Rejected.Kind.CONFLICT);
            assertThat(r.reason()).contains(first.deployment().id()).contains("in progress");
        });
        assertThat(otherApp).isInstanceOf(Answer.Accepted.class);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                store.find("default", first.deployment().id()).orElseThrow().status() == DeploymentStatus.DEPLOYED);
    }

    @Test
    void undeployRemovesFrontendBackendAndWorkload() {
        Deployment d = deploy(descriptor("gone", "#", ""));
        assertThat(deployer.undeploy(d, false, "bob")).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", d.id()).orElseThrow().status() == DeploymentStatus.UNDEPLOYED);
        assertThat(lb.frontends).isEmpty();
        assertThat(lb.backends).isEmpty();
        assertThat(platform.workloads).isEmpty();
        assertThat(platform.stable).isEmpty();
        assertThat(stableChanges).last().isEqualTo("default/gone -> null while the frontend routes to null");
    }

    @Test
    void undeployingAVersionThatNoLongerServesLeavesTheStableAddressAlone() {
        Deployment d = deploy(descriptor("kept", "#", ""));
        platform.stable.put("default/kept", "9");

        assertThat(deployer.undeploy(d, false, "bob")).isEmpty();

        await().atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", d.id()).orElseThrow().status() == DeploymentStatus.UNDEPLOYED);
        assertThat(platform.stable).containsEntry("default/kept", "9");
    }

    @Test
    void aResumedSwitchThatTheLoadBalancerRejectsPointsTheStableAddressBackAtBlue() {
        deploy(descriptor("midswitch", "#", ""));
        Descriptor d = descriptor("midswitch", "#", "");
        platform.create(BlueGreenPlanner.workload("switchid-00000001", d, "2", d.podspec(), Map.of()),
                io.bgdeploy.deployer.model.PodListener.NONE);
        platform.stable.put("default/midswitch", "2");
        java.time.Instant now = java.time.Instant.now();
        store.save(new Deployment("switchid-00000001", now, now, "default", "midswitch", "2", DeploymentStatus.DEPLOYING,
                DeploymentPhase.SWITCHING, "test", null, null, "1", null, d, null));
        lb.reject = c -> c instanceof io.bgdeploy.events.lb.SwitchFrontend s && s.backendId().endsWith("-2");

        deployer.resumeUnowned();

        await().atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", "switchid-00000001").orElseThrow().status() == DeploymentStatus.FAILURE);
        assertThat(platform.stable).containsEntry("default/midswitch", "1");
        assertThat(platform.workloads).containsOnlyKeys("default/midswitch-1");
    }

    @Test
    void resumeAfterARestartBeforeTheSwitchGoesOnToTheSwitch() {
        deploy(descriptor("crash", "#", ""));
        Descriptor d = descriptor("crash", "#", "");
        ObjectNode podspec = d.podspec();
        var green = BlueGreenPlanner.workload("crashid-00000001", d, "2", podspec, Map.of());
        platform.create(green, io.bgdeploy.deployer.model.PodListener.NONE);
        java.time.Instant now = java.time.Instant.now();
        store.save(new Deployment("crashid-00000001", now, now, "default", "crash", "2", DeploymentStatus.DEPLOYING,
                DeploymentPhase.WAITING_FOR_HEALTH, "test", null, null, "1", null, d, null));

        deployer.resumeUnowned();

        await().atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", "crashid-00000001").orElseThrow().status() == DeploymentStatus.DEPLOYED);
        assertThat(platform.workloads).containsOnlyKeys("default/crash-2");
        assertThat(lb.frontends).containsEntry(HostName.of("crash.example.com"), "default-crash-2");
    }

    @Test
    void aWorkloadThatNoDeploymentOwnsIsRemovedAtStartup() {
        Deployment kept = deploy(descriptor("orphans", "#", ""));
        Descriptor d = descriptor("orphans", "#", "");
        platform.create(BlueGreenPlanner.workload("lost-00000001", d, "9", d.podspec(), Map.of()),
                io.bgdeploy.deployer.model.PodListener.NONE);

        deployer.removeOrphans();

        assertThat(platform.workloads).containsOnlyKeys("default/orphans-" + kept.version());
    }

    @Test
    void aPeriodicSweepNeverTakesTheWorkloadOfADeploymentAcceptedWhileItReadsForAnOrphan() {
        Deployment kept = deploy(descriptor("sweep", "#", ""));
        Descriptor d = descriptor("sweep", "#", "");
        java.time.Instant now = java.time.Instant.now();
        Deployment accepted = new Deployment("sweepid-00000002", now, now, "default", "sweep", "2", DeploymentStatus.DEPLOYING,
                DeploymentPhase.CREATING_GREEN, "test", null, null, "1", null, d, null);
        // a deployment is recorded, then its workload created, while the sweep reads the deployments
        io.bgdeploy.deployer.model.DeploymentStore racing = (io.bgdeploy.deployer.model.DeploymentStore) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.bgdeploy.deployer.model.DeploymentStore.class},
                        (proxy, method, args) -> {
                            Object result = method.invoke(store, args);
                            if (method.getName().equals("listAll")) {
                                store.save(accepted);
                                platform.create(BlueGreenPlanner.workload(accepted.id(), d, "2", d.podspec(), Map.of()),
                                        io.bgdeploy.deployer.model.PodListener.NONE);
                            }
                            return result;
                        });

        new io.bgdeploy.deployer.scheduling.Recovery(racing, platform, null, null, null).removeOrphans();

        assertThat(platform.workloads).containsOnlyKeys("default/sweep-" + kept.version(), "default/sweep-2");
    }

    @Test
    void resumeAfterARestartDuringTheDrainFinishesTheDeployment() {
        Deployment v1 = deploy(descriptor("drained", "#", ""));
        Descriptor d = descriptor("drained", "#", "");
        var green = BlueGreenPlanner.workload("drainid-00000001", d, "2", d.podspec(), Map.of());
        platform.create(green, io.bgdeploy.deployer.model.PodListener.NONE);
        lb.frontends.put(HostName.of("drained.example.com"), "default-drained-2");
        java.time.Instant now = java.time.Instant.now();
        store.save(new Deployment("drainid-00000001", now, now, "default", "drained", "2", DeploymentStatus.DEPLOYING,
                DeploymentPhase.DRAINING, "test", null, null, "1", null, d, null));

        deployer.resumeUnowned();

        await().atMost(Duration.ofSeconds(5)).until(() ->
                store.find("default", "drainid-00000001").orElseThrow().status() == DeploymentStatus.DEPLOYED);
        assertThat(platform.workloads).containsOnlyKeys("default/drained-2");
        assertThat(store.find("default", v1.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.UNDEPLOYED);
        assertThat(platform.stable).containsEntry("default/drained", "2");
    }
}
