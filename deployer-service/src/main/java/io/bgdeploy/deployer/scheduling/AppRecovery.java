package io.bgdeploy.deployer.scheduling;

import io.bgdeploy.deployer.bluegreen.PodReporters;
import io.bgdeploy.deployer.bluegreen.Run;
import io.bgdeploy.deployer.bluegreen.WorkloadSpecs;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an instance does with an app's workloads when it takes the app's run lock: adopts those a
 * stopped instance left (deleting the ones no deployment owns) and starts again the pods its
 * serving versions lack.
 */
public final class AppRecovery {

    private static final Logger LOG = Logger.getLogger(AppRecovery.class);

    private final Platform platform;
    private final DeploymentStore store;
    private final WorkloadSpecs specs;
    private final PodReporters reporters;
    private final String instance;
    private final AtomicLong restored = new AtomicLong();

    /** @param instance this deployer instance's name (for the deployment logs) */
    public AppRecovery(Platform platform, DeploymentStore store, WorkloadSpecs specs, PodReporters reporters,
                       String instance) {
        this.platform = platform;
        this.store = store;
        this.specs = specs;
        this.reporters = reporters;
        this.instance = instance;
    }

    /**
     * The caller holds the app's run lock and has just listed the app's deployments; nothing here
     * changes them.
     */
    void onLockTaken(Keys.AppRef app, List<Deployment> history) {
        if (platform.takeOver(app.namespace(), app.appName())) {
            adopted(app, history);
        }
        restoreServing(history);
    }

    /**
     * After workloads of a stopped instance were taken over: those that no deployment owns are
     * deleted, those of the serving version report their pods again.
     */
    private void adopted(Keys.AppRef app, List<Deployment> history) {
        String namespace = app.namespace();
        Set<String> owned = BlueGreenPlanner.ownedWorkloads(history);
        for (String w : platform.workloads(namespace, app.appName())) {
            if (!owned.contains(BlueGreenPlanner.workloadKey(namespace, w))) {
                LOG.warnf("workload %s in %s, taken over from a stopped deployer, belongs to no running deployment:"
                        + " deleting the orphan", w, namespace);
                platform.delete(namespace, w);
            }
        }
        for (Deployment d : history) {
            if (d.status() == DeploymentStatus.DEPLOYED) {
                platform.attach(namespace, BlueGreenPlanner.workloadName(d.appName(), d.version()),
                        reporters.of(new Run(d, specs.of(d))));
            }
        }
    }

    /**
     * Starts again the pods that the app's serving versions lack on this platform (the local
     * platform after it was stopped); their backends follow the new pods.
     */
    private void restoreServing(List<Deployment> history) {
        for (Deployment d : history) {
            if (!BlueGreenPlanner.serves(d)) {
                continue;
            }
            WorkloadSpec spec = specs.of(d);
            if (platform.needsRestore(spec) && platform.restore(spec, reporters.ofRestartedPods(new Run(d, spec)))) {
                restored.incrementAndGet();
                LOG.infof("deployment %s: the pods of %s version %s were gone; started again", d.id(), d.appKey(),
                        d.version());
                store.appendLog(d.namespace(), d.id(), Instant.now() + " pods started again by deployer instance "
                        + instance + " (they were gone after a restart of the platform)");
            }
        }
    }

    /** Serving workloads whose pods this instance started again (after the platform was stopped). */
    public long restoredWorkloads() {
        return restored.get();
    }
}
