package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.bluegreen.DeploymentRunner;
import io.bgdeploy.deployer.bluegreen.PodReporters;
import io.bgdeploy.deployer.bluegreen.WorkloadSpecs;
import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.LockMode;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.model.AcceptLocks;
import io.bgdeploy.deployer.model.AppLocks;
import io.bgdeploy.deployer.model.RunLocks;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HistoryRetention;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.scheduling.AppRecovery;
import io.bgdeploy.deployer.scheduling.AppScheduler;
import io.bgdeploy.deployer.scheduling.Recovery;
import io.bgdeploy.events.deploy.Descriptor;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One deployer instance's core (intake, scheduler, flow, recovery), built as {@code config.Wiring}
 * builds it, over a test's fakes or real etcd.
 */
public final class DeployerInstance {

    private final RequestIntake intake;
    private final AppScheduler scheduler;
    private final AppRecovery appRecovery;
    private final Recovery recovery;

    public DeployerInstance(Platform platform, DeploymentStore store, EventSink sink, FlowParts flow,
                            ResourcePolicy resources, LockMode lockMode, AppLocks locks, ExecutorService executor,
                            Clock clock) {
        this(platform, store, sink, flow, resources, lockMode, locks, executor, clock,
                new HistoryRetention(HistoryRetention.DEFAULT_KEEP));
    }

    public DeployerInstance(Platform platform, DeploymentStore store, EventSink sink, FlowParts flow,
                            ResourcePolicy resources, LockMode lockMode, AppLocks locks, ExecutorService executor,
                            Clock clock, HistoryRetention retention) {
        this(platform, store, sink, flow, resources, lockMode, locks, AcceptLocks.over(locks, store),
                RunLocks.over(locks, store), executor, clock, retention);
    }

    /** An instance that accepts and runs under these locks (the etcd store's own, for one). */
    public DeployerInstance(Platform platform, DeploymentStore store, EventSink sink, FlowParts flow,
                            ResourcePolicy resources, LockMode lockMode, AppLocks locks, AcceptLocks accepting,
                            RunLocks running, ExecutorService executor, Clock clock, HistoryRetention retention) {
        PodReporters reporters = new PodReporters(flow.backends(), flow.settings().timing(), flow.sink(), flow.board());
        DeploymentRunner runner = new DeploymentRunner(flow.platform(), flow.lb(), flow.board(), flow.sink(),
                flow.store(), flow.settings(), flow.backends(), reporters);
        WorkloadSpecs specs = new WorkloadSpecs(resources, store);
        this.appRecovery = new AppRecovery(platform, store, specs, reporters, locks.owner());
        this.scheduler = new AppScheduler(store, running, executor, runner, specs, appRecovery, retention);
        this.recovery = new Recovery(store, platform, specs, reporters, scheduler);
        this.intake = new RequestIntake(platform, store, sink, resources, lockMode, accepting, scheduler, clock);
    }

    public RequestIntake intake() {
        return intake;
    }

    public Answer submit(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        return intake.submit(descriptor, requestedBy, requestId, descriptorId);
    }

    public Optional<String> rollback(String namespace, String id, String by) {
        return intake.rollback(namespace, id, by);
    }

    public Optional<String> undeploy(Deployment d, boolean deleteRecord, String by) {
        return intake.undeploy(d, deleteRecord, by);
    }

    /** Whether the scheduler has the app queued or running. */
    public boolean busyWith(String appKey) {
        return scheduler.busyWith(appKey);
    }

    public boolean isActive(String id) {
        return scheduler.isRunning(id);
    }

    public void resumeUnowned() {
        recovery.resumeUnowned();
    }

    public void removeOrphans() {
        recovery.removeOrphans();
    }

    public void reattachServing() {
        recovery.reattachServing();
    }

    public void restoreServing() {
        recovery.restoreServing();
    }

    public long restoredWorkloads() {
        return appRecovery.restoredWorkloads();
    }
}
