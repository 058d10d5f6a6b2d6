package io.bgdeploy.events.deploy;

/** A deployment's status, with the reference deployer's names. */
public enum DeploymentStatus {
    DEPLOYING, DEPLOYED, UNDEPLOYING, UNDEPLOYED, FAILURE;

    public boolean isFinal() {
        return this == DEPLOYED || this == UNDEPLOYED || this == FAILURE;
    }
}
