package io.bgdeploy.health.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.PodRef;

/** A pod to probe: where it is and how to check it. Every part was validated by the event it came from. */
public record ProbeTarget(PodRef pod, String node, String address, HealthCheckSpec check) {

    public ProbeTarget {
        Names.requirePresent(pod, "pod");
        Names.requireIpAddress(address);
        Names.requirePresent(check, "check");
    }

    /** {@code <namespace>/<podName>}: one probed pod. */
    public String podKey() {
        return Keys.pod(pod.namespace(), pod.podName());
    }

    /** The URL probed, for logs and the dashboard. */
    public String url() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "http://" + host + ":" + check.port() + check.path();
    }
}
