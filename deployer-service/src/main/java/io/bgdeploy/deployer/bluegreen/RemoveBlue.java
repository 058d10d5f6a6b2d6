package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;

import java.time.Instant;

/**
 * REMOVING_BLUE: blue's workload scaled to 0 and deleted, its backend (and a frontend green does
 * not use) removed; blue's deployment becomes UNDEPLOYED.
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
        platform.scale(blue.namespace(), blueName, 0);
        platform.delete(blue.namespace(), blueName);
        journal.log(run, "blue workload " + blueName + " scaled to 0 and deleted");
        String blueBackend = BlueGreenPlanner.backendId(blue.namespace(), blue.appName(), blue.version());
        HostName blueHost = run.blueHost();
        String greenText = run.descriptor.frontend();
        if (blueHost != null && !blueHost.equals(greenText == null ? null : HostName.of(greenText))) {
            lb.bestEffort(run, new RemoveFrontend(run.commandId("remove-blue-frontend"), run.id(), blue.namespace(),
                    blue.appName(), blueHost, blueBackend));
        }
        lb.bestEffort(run, new RemoveBackend(run.commandId("remove-blue-backend"), run.id(), blue.namespace(),
                blue.appName(), blueBackend));
        board.forget(blue.id());
        store.save(blue.withStatus(DeploymentStatus.UNDEPLOYED, "replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + ")"));
        store.appendLog(blue.namespace(), blue.id(), Instant.now() + " replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + "), workload and backend removed");
    }
}
