package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;

import java.util.List;

/** PREPARING: refuses a version that runs already and finds blue, the app's DEPLOYED deployment. */
final class FindBlue extends Step {

    private final DeploymentStore store;
    private final Platform platform;
    private final Journal journal;

    FindBlue(DeploymentStore store, Platform platform, Journal journal) {
        super("find-blue", DeploymentPhase.PREPARING);
        this.store = store;
        this.platform = platform;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws StepFailed {
        Deployment d = run.deployment;
        List<Deployment> history = run.appHistory;
        var same = history.stream().filter(x -> !x.id().equals(d.id()))
                .filter(x -> d.version().equals(x.version()))
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED || x.status() == DeploymentStatus.DEPLOYING)
                .findFirst();
        if (same.isPresent() || platform.exists(d.namespace(), run.spec.name())) {
            throw new StepFailed("version " + d.version() + " of " + d.appKey() + " is already deployed"
                    + same.map(x -> " (deployment " + x.id() + ")").orElse("")
                    + ": deploy a new version, or \"#\" for the next number");
        }
        run.setBlue(BlueGreenPlanner.serving(history, d.id()).orElse(null));
        if (run.blue != null) {
            run.deployment = run.deployment.withBlueVersion(run.blue.version());
            store.save(run.deployment);
            journal.log(run, "blue is version " + run.blue.version() + " (deployment " + run.blue.id()
                    + "), green is version " + d.version());
        } else {
            journal.log(run, "first deployment of " + d.appKey() + ": green is version " + d.version());
        }
    }
}
