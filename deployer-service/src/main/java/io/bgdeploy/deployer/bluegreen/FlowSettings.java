package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;

import java.time.Duration;

/** Timing of the flow, from configuration. */
public record FlowSettings(Duration healthDeadline, Duration lbTimeout, Duration drainDelay,
                           BlueGreenPlanner.HealthTiming timing) {
}
