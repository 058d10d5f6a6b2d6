package io.bgdeploy.health.config;

import io.bgdeploy.health.model.AppOwnership;
import io.bgdeploy.health.model.DashboardSettings;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.DashboardView;
import io.bgdeploy.health.model.InstanceName;
import io.bgdeploy.health.model.RemoteReports;
import io.bgdeploy.health.model.RestartTracker;
import io.bgdeploy.health.model.ServingCheck;
import io.bgdeploy.health.model.ServingVersions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;

/** The framework-free objects of the service, built with their settings in one place. */
public class Wiring {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    InstanceName instanceName(HealthConfig config) {
        return new InstanceName(config.instanceName().orElseGet(() -> {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "health-service";
            }
            return host + "-" + UUID.randomUUID().toString().substring(0, 6);
        }));
    }

    @Produces
    @Singleton
    DashboardState dashboardState(HealthConfig config, Clock clock) {
        HealthConfig.Dashboard d = config.dashboard();
        return new DashboardState(clock, new DashboardSettings(d.recentAlerts(), d.latencyWindow(), d.latencyBucket(),
                d.restartWindow(), d.restartBucket()));
    }

    @Produces
    @Singleton
    RemoteReports remoteReports(InstanceName self) {
        return new RemoteReports(self);
    }

    /** Reports of another instance are stale after three refreshes without one. */
    @Produces
    @Singleton
    DashboardView dashboardView(DashboardState local, RemoteReports remote, ServingVersions versions,
                                AppOwnership ownership, InstanceName self, Clock clock, HealthConfig config) {
        return new DashboardView(local, remote, versions, ownership, self, clock,
                config.dashboard().reportRefresh().multipliedBy(3), config.dashboard().recentAlerts());
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
