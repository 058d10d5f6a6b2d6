package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;

import java.util.ArrayList;
import java.util.List;

/**
 * UNDEPLOYING: removes a DEPLOYED deployment's frontend, stable address (if it selects this
 * version), backend and workload, in that order: nothing routes to the version any more when its
 * pods are told to stop (as in {@link RemoveBlue}). The delete returns once the platform accepted
 * it; the pods stop in the background. The caller holds the app's lock.
 */
final class Undeploy {

    private final Platform platform;
    private final LbCommands lb;
    private final StableAddress stable;
    private final Journal journal;
    private final BackendFollower backends;

    Undeploy(Platform platform, LbCommands lb, StableAddress stable, Journal journal, BackendFollower backends) {
        this.backends = backends;
        this.platform = platform;
        this.lb = lb;
        this.stable = stable;
        this.journal = journal;
    }

    Deployment run(Run run, String by) throws InterruptedException {
        Deployment d = run.deployment.withStatus(DeploymentStatus.UNDEPLOYING, null);
        run.deployment = d;
        journal.enterPhaseDespiteKafka(run, DeploymentPhase.UNDEPLOYING, "requested by " + by);
        // no update of its backend may follow the removal
        backends.stop(d.id());
        List<String> problems = new ArrayList<>();
        if (run.frontend != null) {
            problems.addAll(lb.bestEffort(run, new RemoveFrontend(run.commandId("undeploy-frontend"), d.id(), d.namespace(),
                    d.appName(), run.frontend.host(), run.backendId())));
        }
        stable.remove(run, d.version());
        problems.addAll(lb.bestEffort(run, new RemoveBackend(run.commandId("undeploy-backend"), d.id(), d.namespace(),
                d.appName(), run.backendId())));
        platform.delete(d.namespace(), run.spec.name());
        journal.log(run, "workload " + run.spec.name() + " deleted (its pods stop in the background)");
        return journal.finish(run, DeploymentStatus.UNDEPLOYED, problems.isEmpty() ? "undeployed on request of " + by
                : "undeployed on request of " + by + "; load balancer: " + String.join("; ", problems));
    }
}
