package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.events.deploy.DeploymentPhase;

/** SWITCHING, last: green serves now, so the app's stable address follows (a failure is logged, green keeps serving). */
final class RouteStable extends Step {

    private final StableAddress stable;

    RouteStable(StableAddress stable) {
        super("route-stable", DeploymentPhase.SWITCHING);
        this.stable = stable;
    }

    @Override
    void run(Run run) {
        stable.pointAt(run, run.spec);
    }
}
