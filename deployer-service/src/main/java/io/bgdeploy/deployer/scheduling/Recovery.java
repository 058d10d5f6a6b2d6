package io.bgdeploy.deployer.scheduling;

import io.bgdeploy.deployer.bluegreen.PodReporters;
import io.bgdeploy.deployer.bluegreen.Run;
import io.bgdeploy.deployer.bluegreen.WorkloadSpecs;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.jboss.logging.Logger;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * After a restart and then every takeover interval: deletes orphaned workloads, re-attaches the
 * pods of serving versions, has the pods the platform lost started again, and has the unfinished
 * deployments that no instance runs (left by this instance before its restart, or by one that
 * stopped) continued.
 */
public final class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);

    private final DeploymentStore store;
    private final Platform platform;
    private final WorkloadSpecs specs;
    private final PodReporters reporters;
    private final AppScheduler scheduler;

    public Recovery(DeploymentStore store, Platform platform, WorkloadSpecs specs, PodReporters reporters,
                    AppScheduler scheduler) {
        this.store = store;
        this.platform = platform;
        this.specs = specs;
        this.reporters = reporters;
        this.scheduler = scheduler;
    }

    /**
     * Runs the unfinished deployments of every app that no instance runs: at startup, those this
     * instance left behind; afterwards, those of an instance that stopped (its lock expired). Apps
     * whose workloads a stopped instance left (local platform) are taken over the same way.
     */
    public void resumeUnowned() {
        Set<String> apps = new LinkedHashSet<>();
        store.unfinished().forEach((id, app) -> {
            if (!scheduler.isRunning(id)) {
                apps.add(app);
            }
        });
        apps.addAll(platform.appsToTakeOver());
        apps.forEach(scheduler::scheduleIfIdle);
    }

    /**
     * Deletes workloads that no deployment owns any more (left behind by a crash between creating
     * a workload and recording it, by a deployment that was forgotten, or, on the local platform, by
     * a version that another instance replaced while this one ran its pods): only workloads of
     * deployments that serve or are in progress are kept. Runs at startup and then periodically,
     * beside deployments in progress: the workloads are listed before the deployments are read, so
     * that a workload created meanwhile (its deployment is recorded before it is created) is never
     * taken for an orphan.
     */
    public void removeOrphans() {
        List<Platform.WorkloadRef> managed = platform.managedWorkloads();
        Set<String> owned = BlueGreenPlanner.ownedWorkloads(store.listAll());
        for (Platform.WorkloadRef w : managed) {
            if (!owned.contains(BlueGreenPlanner.workloadKey(w.namespace(), w.name()))) {
                LOG.warnf("workload %s in %s belongs to no running deployment: deleting the orphan", w.name(), w.namespace());
                platform.delete(w.namespace(), w.name());
            }
        }
    }

    /** Re-attaches the pods of deployments that serve, so their restarts are reported again. */
    public void reattachServing() {
        for (Deployment d : store.listAll()) {
            if (d.status() == DeploymentStatus.DEPLOYED) {
                platform.attach(d.namespace(), BlueGreenPlanner.workloadName(d.appName(), d.version()),
                        reporters.of(new Run(d, specs.of(d))));
            }
        }
    }

    /**
     * Has the instance that gets each app's lock start again the pods its serving versions lack
     * (at startup: the local platform's pods stop with it).
     */
    public void restoreServing() {
        Set<String> apps = new LinkedHashSet<>();
        for (Deployment d : store.listAll()) {
            if (BlueGreenPlanner.serves(d) && platform.needsRestore(specs.of(d))) {
                apps.add(d.appKey());
            }
        }
        apps.forEach(scheduler::schedule);
    }
}
