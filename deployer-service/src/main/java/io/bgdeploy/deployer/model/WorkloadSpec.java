package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.PodLabels;

import java.util.List;
import java.util.Map;

/**
 * What a platform should run: the desired state of one version of an app, free of any client
 * library. Built by the blue-green planner.
 *
 * @param name     {@code <appName>-<version>}, the workload's and its versioned service's name
 * @param labels   {@code app}, {@code version}, {@code managed-by}, {@code deployment-id}
 * @param podspec  the descriptor's pod spec with resources filled in
 * @param env      variables injected into every container, in order, before the container's own
 * @param ports    every container's ports (container port and name; each port and each name once)
 * @param healthCheckPort the container port the health check probes, if there is a health check
 */
public record WorkloadSpec(String deploymentId, String namespace, String appName, String version, String name,
                           int replicas, Map<String, String> labels, ObjectNode podspec, Map<String, String> env,
                           List<PortSpec> ports, Integer healthCheckPort) {

    public static final String LABEL_APP = PodLabels.APP;
    public static final String LABEL_VERSION = PodLabels.VERSION;
    public static final String LABEL_MANAGED_BY = PodLabels.MANAGED_BY;
    public static final String LABEL_DEPLOYMENT_ID = PodLabels.DEPLOYMENT_ID;
    public static final String MANAGED_BY = PodLabels.MANAGED_BY_DEPLOYER;

    public WorkloadSpec {
        labels = Map.copyOf(labels);
        env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        ports = List.copyOf(ports);
    }

    /** A container port, with its name ({@code ""} when unnamed). */
    public record PortSpec(String name, int containerPort) {
    }

    /** The port traffic is routed to: the first declared port, else the health-check port, else 80. */
    public int servingPort() {
        if (!ports.isEmpty()) {
            return ports.get(0).containerPort();
        }
        return healthCheckPort != null ? healthCheckPort : 80;
    }
}
