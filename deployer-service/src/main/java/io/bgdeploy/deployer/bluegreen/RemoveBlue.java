package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;

import java.time.Instant;

/**
 * REMOVING_BLUE: blue's backend (and a frontend green does not use) removed, then blue's workload
 * scaled to 0 and deleted; blue's deployment becomes UNDEPLOYED.
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

    RemoveBlue(Platform platform, LbCommands lb, HealthBoard board, DeploymentStore store, Journal journal) {
        super(NAME, DeploymentPhase.REMOVING_BLUE);
        this.platform = platform;
        this.lb = lb;
        this.board = board;
        this.store = store;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws InterruptedException {
        Deployment blue = run.blue;
        if (blue == null) {
            return;
        }
        String blueName = BlueGreenPlanner.workloadName(blue.appName(), blue.version());
        String blueBackend = BlueGreenPlanner.backendId(blue.namespace(), blue.appName(), blue.version());
        if (run.blueFrontend != null && !run.greenServesOn(run.blueFrontend.host())) {
            lb.bestEffort(run, new RemoveFrontend(run.commandId("remove-blue-frontend"), run.id(), blue.namespace(),
                    blue.appName(), run.blueFrontend.host(), blueBackend));
        }
        lb.bestEffort(run, new RemoveBackend(run.commandId("remove-blue-backend"), run.id(), blue.namespace(),
                blue.appName(), blueBackend));
        platform.scale(blue.namespace(), blueName, 0);
        platform.delete(blue.namespace(), blueName);
        journal.log(run, "blue workload " + blueName + " scaled to 0 and deleted (its pods stop in the background)");
        board.forget(blue.id());
        store.save(blue.withStatus(DeploymentStatus.UNDEPLOYED, "replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + ")"));
        store.appendLog(blue.namespace(), blue.id(), Instant.now() + " replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + "), workload and backend removed");
    }
}
