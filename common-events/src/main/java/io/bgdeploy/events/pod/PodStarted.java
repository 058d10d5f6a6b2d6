package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

import java.util.Map;

/**
 * A pod is running and has an address. Published by the deployer as the platform reports it.
 *
 * @param ports       container ports by name ({@code ""} for an unnamed one)
 * @param healthCheck how to probe it; absent when the descriptor has no health check
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodStarted(PodRef pod, String node, String address, Map<String, Integer> ports,
                         HealthCheckSpec healthCheck) implements EventData {

    public PodStarted {
        Names.requirePresent(pod, "pod");
        Names.requireIpAddress(address);
        ports = ports == null ? Map.of() : Map.copyOf(ports);
        ports.values().forEach(p -> Names.requirePort(p, "port"));
    }

    @Override
    public String key() {
        return pod.key();
    }
}
