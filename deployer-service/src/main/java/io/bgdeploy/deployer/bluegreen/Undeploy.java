package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;

import java.util.ArrayList;
import java.util.List;

/**
 * UNDEPLOYING: removes a DEPLOYED deployment's frontend, stable address (if it selects this
 * version), workload and backend. The caller holds the app's lock.
 */
final class Undeploy {

    private final Platform platform;
    private final LbCommands lb;
    private final StableAddress stable;
    private final Journal journal;

    Undeploy(Platform platform, LbCommands lb, StableAddress stable, Journal journal) {
        this.platform = platform;
        this.lb = lb;
        this.stable = stable;
        this.journal = journal;
    }

    Deployment run(Run run, String by) throws InterruptedException {
        Deployment d = run.deployment.withStatus(DeploymentStatus.UNDEPLOYING, null);
        run.deployment = d;
        journal.enterPhaseDespiteKafka(run, DeploymentPhase.UNDEPLOYING, "requested by " + by);
        FrontendSpec frontend = BlueGreenPlanner.frontend(run.descriptor);
        List<String> problems = new ArrayList<>();
        if (frontend != null) {
            problems.addAll(lb.bestEffort(run, new RemoveFrontend(run.commandId("undeploy-frontend"), d.id(), d.namespace(),
                    d.appName(), frontend.hostname(), run.backendId())));
        }
        stable.remove(run, d.version());
        platform.delete(d.namespace(), run.spec.name());
        journal.log(run, "workload " + run.spec.name() + " deleted");
        problems.addAll(lb.bestEffort(run, new RemoveBackend(run.commandId("undeploy-backend"), d.id(), d.namespace(),
                d.appName(), run.backendId())));
        return journal.finish(run, DeploymentStatus.UNDEPLOYED, problems.isEmpty() ? "undeployed on request of " + by
                : "undeployed on request of " + by + "; load balancer: " + String.join("; ", problems));
    }
}
