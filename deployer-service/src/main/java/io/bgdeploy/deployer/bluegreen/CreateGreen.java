package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;

/** CREATING_GREEN: the new version's workload, whose pods are reported as they come. */
final class CreateGreen extends Step {

    static final String NAME = "create-green";

    private final Platform platform;
    private final PodReporters reporters;
    private final Journal journal;

    CreateGreen(Platform platform, PodReporters reporters, Journal journal) {
        super(NAME, DeploymentPhase.CREATING_GREEN);
        this.platform = platform;
        this.reporters = reporters;
        this.journal = journal;
    }

    @Override
    void run(Run run) {
        run.greenCreated = true;
        platform.create(run.spec, reporters.of(run));
        journal.log(run, "created workload " + run.spec.name() + " with " + run.spec.replicas() + " replica(s) on the "
                + platform.name() + " platform");
    }
}
