package io.bgdeploy.health;

import io.bgdeploy.health.model.DashboardSettings;
import io.bgdeploy.health.model.DashboardState;

import java.time.Clock;
import java.time.Duration;

/** A dashboard state with the service's default history settings, for tests that drive parts directly. */
public final class Dashboards {

    private Dashboards() {
    }

    public static DashboardSettings settings() {
        return new DashboardSettings(10, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(30),
                Duration.ofMinutes(1));
    }

    public static DashboardState state(Clock clock) {
        return new DashboardState(clock, settings());
    }
}
