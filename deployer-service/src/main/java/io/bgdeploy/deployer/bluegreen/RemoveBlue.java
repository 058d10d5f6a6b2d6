package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;

import java.time.Instant;

/**
 * REMOVING_BLUE: blue's backend (and a frontend green does not use) removed, then blue's workload
 * scaled to 0 and deleted; blue's deployment becomes UNDEPLOYED, in the same write as this one's end
 * ({@link Journal#finish}). An older version that is still DEPLOYED (a deployment that failed after
 * its switch could not remove it) goes the same way.
 *
 * <p>The load balancer lets go of blue first: after the drain no frontend routes to blue, so the
 * order changes no request, and this way no HAProxy server names a pod of blue once its address or
 * port may belong to another pod. The delete returns once the platform accepted it (blue's pods
 * stop in the background, within their grace period, as on Kubernetes), so the step does not wait
 * for them.
 */
final class RemoveBlue extends Step {

    static final String NAME = "remove-blue";

    private final Platform platform;
    private final LbCommands lb;
    private final HealthBoard board;
    private final DeploymentStore store;
    private final Journal journal;
    private final BackendFollower backends;

    RemoveBlue(Platform platform, LbCommands lb, HealthBoard board, DeploymentStore store, Journal journal,
               BackendFollower backends) {
        super(NAME, DeploymentPhase.REMOVING_BLUE);
        this.backends = backends;
        this.platform = platform;
        this.lb = lb;
        this.board = board;
        this.store = store;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws InterruptedException {
        Deployment blue = run.blue;
        if (blue != null) {
            remove(run, blue, run.blueFrontend, "remove-blue", "blue");
        }
        // which versions are DEPLOYED changes only under the app's lock, held since the history was listed
        for (Deployment left : BlueGreenPlanner.leftRunning(run.appHistory, run.id(), blue == null ? null : blue.id())) {
            // UNDEPLOYING first: a version that no longer counts as serving gets no backend back from the
            // pods it still has, and a deployer that stops half-way has its undeploy continued (Recovery)
            store.save(left.withStatus(DeploymentStatus.UNDEPLOYING, null));
            remove(run, left, BlueGreenPlanner.frontend(left.descriptor()), "remove-left-" + left.id(),
                    "version " + left.version() + " (still DEPLOYED: a deployment after it could not remove it)");
        }
    }

    /**
     * The old version's frontend (unless green serves that host) and backend removed, then its
     * workload scaled to 0 and deleted, and its deployment UNDEPLOYED.
     */
    private void remove(Run run, Deployment old, FrontendSpec oldFrontend, String commandPrefix, String label)
            throws InterruptedException {
        String name = BlueGreenPlanner.workloadName(old.appName(), old.version());
        String backend = BlueGreenPlanner.backendId(old.namespace(), old.appName(), old.version());
        // no update of its backend may follow the removal
        backends.stop(old.id());
        if (oldFrontend != null && !run.greenServesOn(oldFrontend.host())) {
            lb.bestEffort(run, new RemoveFrontend(run.commandId(commandPrefix + "-frontend"), run.id(), old.namespace(),
                    old.appName(), oldFrontend.host(), backend));
        }
        lb.bestEffort(run, new RemoveBackend(run.commandId(commandPrefix + "-backend"), run.id(), old.namespace(),
                old.appName(), backend));
        platform.scale(old.namespace(), name, 0);
        platform.delete(old.namespace(), name);
        journal.log(run, label + " workload " + name + " scaled to 0 and deleted (its pods stop in the background)");
        board.forget(old.id());
        String replaced = "replaced by version " + run.deployment.version() + " (deployment " + run.id() + ")";
        // saved with this deployment's end; a deployer that stops before it continues this step, which
        // finds the workload gone and the backend removed, and removes nothing twice
        run.savedWithTheEnd.add(old.withStatus(DeploymentStatus.UNDEPLOYED, replaced));
        store.appendLog(old.namespace(), old.id(), Instant.now() + " " + replaced + ", workload and backend removed");
    }
}
