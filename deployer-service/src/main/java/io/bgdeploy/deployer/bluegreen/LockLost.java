package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.events.deploy.DeploymentPhase;

/** This instance lost the app's lock: it must stop, another instance continues the deployment. */
public final class LockLost extends RuntimeException {
    private final transient DeploymentPhase phase;

    LockLost(DeploymentPhase phase) {
        super("the app's lock was lost before phase " + phase, null, false, false);
        this.phase = phase;
    }

    public DeploymentPhase phase() {
        return phase;
    }
}
