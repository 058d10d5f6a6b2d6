package io.bgdeploy.events.deploy;

/** The steps of a blue-green deployment, in order; {@link #ROLLING_BACK} replaces the rest on failure. */
public enum DeploymentPhase {
    /** Version resolved, lock taken. */
    PREPARING,
    /** Green workload and versioned service being created. */
    CREATING_GREEN,
    /** Waiting until every green pod is ready. */
    WAITING_FOR_HEALTH,
    /** Green backend written and the frontend switched; waiting for every live LB agent. */
    SWITCHING,
    /** Blue still running so that an instant rollback stays possible. */
    DRAINING,
    /** Blue scaled to zero and deleted, its backend removed. */
    REMOVING_BLUE,
    /** A failure before the switch: everything green created is being removed. */
    ROLLING_BACK,
    /** Frontend, backends and workloads being removed on request. */
    UNDEPLOYING
}
