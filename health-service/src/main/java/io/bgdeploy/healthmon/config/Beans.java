package io.bgdeploy.healthmon.config;

import io.bgdeploy.healthmon.dashboard.DashboardState;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Pure objects shared by the service's beans. */
public class Beans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    DashboardState dashboardState(HealthmonConfig config, Clock clock) {
        return new DashboardState(clock, config.dashboard().recentAlerts());
    }
}
