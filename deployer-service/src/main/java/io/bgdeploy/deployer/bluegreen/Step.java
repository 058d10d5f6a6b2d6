package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.events.deploy.DeploymentPhase;

/** One named step of the blue-green chain, run in its phase. */
abstract class Step {

    private final String name;
    private final DeploymentPhase phase;

    /** @param name the step's name in the deployment's log, e.g. {@code create-green} */
    Step(String name, DeploymentPhase phase) {
        this.name = name;
        this.phase = phase;
    }

    final String name() {
        return name;
    }

    final DeploymentPhase phase() {
        return phase;
    }

    abstract void run(Run run) throws StepFailed, InterruptedException;
}
