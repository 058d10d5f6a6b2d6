package io.bgdeploy.events.pod;

import io.bgdeploy.events.Names;

/**
 * How to probe a pod, with the reference deployer's types and Kubernetes readiness-probe knobs.
 *
 * @param type             {@code simple}: 2xx is healthy; {@code probe}: body {@code {"healthy": true}}
 * @param periodMillis     time between probes
 * @param timeoutMillis    a probe that takes longer fails
 * @param successThreshold consecutive successes to become ready
 * @param failureThreshold consecutive failures to become unhealthy
 */
public record HealthCheckSpec(String type, String path, int port, long periodMillis, long timeoutMillis,
                              int successThreshold, int failureThreshold) {

    public static final String SIMPLE = "simple";
    public static final String PROBE = "probe";

    public HealthCheckSpec {
        if (!SIMPLE.equals(type) && !PROBE.equals(type)) {
            throw new IllegalArgumentException("health check type '" + Names.printable(type)
                    + "' is unknown: use \"simple\" or \"probe\"");
        }
        Names.requireUrlPath(path);
        Names.requirePort(port, "health check port");
        if (periodMillis < 100 || timeoutMillis < 10 || successThreshold < 1 || failureThreshold < 1) {
            throw new IllegalArgumentException("health check needs periodMillis >= 100, timeoutMillis >= 10 and thresholds >= 1");
        }
    }
}
