package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.SwitchFrontend;

/**
 * SWITCHING: the frontend moves from blue's backend to green's, as a compare-and-swap on blue's
 * (no frontend in the descriptor: nothing to switch).
 */
final class SwitchTraffic extends Step {

    private final LbCommands lb;
    private final Journal journal;

    SwitchTraffic(LbCommands lb, Journal journal) {
        super("switch-frontend", DeploymentPhase.SWITCHING);
        this.lb = lb;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws StepFailed, InterruptedException {
        FrontendSpec frontend = BlueGreenPlanner.frontend(run.descriptor);
        if (frontend == null) {
            journal.log(run, "no frontend in the descriptor: nothing to switch");
            run.switched = true;
            return;
        }
        String expected = run.blueBackendOn(frontend.host());
        run.switchAttempted = true;
        lb.apply(run, new SwitchFrontend(run.commandId("switch-frontend"), run.id(), run.deployment.namespace(),
                run.deployment.appName(), frontend, run.backendId(), expected));
        run.switched = true;
        journal.log(run, "frontend " + frontend.hostname() + " switched to " + run.backendId()
                + (expected == null ? " (new frontend)" : " from " + expected));
    }
}
