package io.bgdeploy.health.config;

import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.RestartTracker;
import io.bgdeploy.health.model.ServingCheck;
import io.bgdeploy.health.model.ServingVersions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The framework-free objects of the service, built with their settings in one place. */
public class Wiring {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    DashboardState dashboardState(HealthConfig config, Clock clock) {
        return new DashboardState(clock, config.dashboard().recentAlerts());
    }

    @Produces
    @Singleton
    ServingVersions servingVersions() {
        return new ServingVersions();
    }

    @Produces
    @Singleton
    ServingCheck servingCheck(HealthConfig config) {
        return new ServingCheck(config.servingAlert().noServingPodAfter(),
                config.servingAlert().tooFewServingPodsAfter());
    }

    @Produces
    @Singleton
    RestartTracker restartTracker(HealthConfig config) {
        return new RestartTracker(config.restartAlert().maxRestarts(), config.restartAlert().window());
    }
}
