package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.bluegreen.BackendFollower;
import io.bgdeploy.deployer.bluegreen.FlowSettings;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.Platform;

/** What the blue-green flow of a test works with: its fakes, its timing and its backend follower. */
public record FlowParts(Platform platform, LoadBalancer lb, HealthBoard board, EventSink sink, DeploymentStore store,
                        FlowSettings settings, BackendFollower backends) {
}
