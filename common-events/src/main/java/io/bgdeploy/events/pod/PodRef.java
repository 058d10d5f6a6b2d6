package io.bgdeploy.events.pod;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

/**
 * Which pod an event is about. {@code deploymentId} is absent for pods the deployer did not start
 * (seen by a cluster watch).
 */
public record PodRef(String deploymentId, String namespace, String appName, String version, String podName) {

    public PodRef {
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireVersion(version);
        Names.requireText(podName, "podName");
        if (!Names.isHostName(podName) || podName.length() > 253) {
            throw new IllegalArgumentException("podName '" + Names.printable(podName) + "' is not a valid pod name");
        }
    }

    /** {@code <namespace>/<appName>}. */
    public String key() {
        return Keys.app(namespace, appName);
    }
}
