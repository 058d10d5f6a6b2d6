package io.bgdeploy.health.model;

import java.time.Duration;

/**
 * How much history the dashboard keeps.
 *
 * @param recentAlerts    restart alerts kept per app
 * @param latencyWindow   how far back a pod's probe latencies and restarts are shown
 * @param latencyBucket   one point of a latency sparkline
 * @param restartWindow   how far back an app's restarts are counted over time
 * @param restartBucket   one bar of the restarts chart
 */
public record DashboardSettings(int recentAlerts, Duration latencyWindow, Duration latencyBucket,
                                Duration restartWindow, Duration restartBucket) {

    public DashboardSettings {
        if (recentAlerts < 1) {
            throw new IllegalArgumentException("recentAlerts must be at least 1");
        }
        if (latencyWindow.compareTo(latencyBucket) < 0 || restartWindow.compareTo(restartBucket) < 0) {
            throw new IllegalArgumentException("a window must be at least one bucket long");
        }
    }
}
