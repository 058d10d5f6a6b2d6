package io.bgdeploy.localplatform;

import java.util.Map;

/**
 * A pod whose every container runs, and where it is reached.
 *
 * @param address always {@code 127.0.0.1}: the pods share this machine's network
 * @param ports   every container port of the pod to the free local port it got
 * @param node    the node name the platform reports (its settings')
 */
public record RunningPod(String name, String address, Map<Integer, Integer> ports, String node) {

    public RunningPod {
        ports = Map.copyOf(ports);
    }
}
