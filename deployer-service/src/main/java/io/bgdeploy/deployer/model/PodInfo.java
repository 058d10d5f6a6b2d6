package io.bgdeploy.deployer.model;

import java.util.Map;

/**
 * A running pod as the platform sees it.
 *
 * @param address IP address other services reach it at
 * @param ports   where each container port is reachable at that address (identity on Kubernetes,
 *                a free local port on the local platform)
 * @param node    the node it runs on
 */
public record PodInfo(String name, String address, Map<Integer, Integer> ports, String node) {

    public PodInfo {
        ports = Map.copyOf(ports);
    }

    /** Where a container port is reachable; the port itself when the platform does not map it. */
    public int reachablePort(int containerPort) {
        return ports.getOrDefault(containerPort, containerPort);
    }
}
