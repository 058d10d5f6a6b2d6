package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/**
 * A container of a pod was restarted by the platform (the kubelet, or the local platform).
 *
 * @param restartCount total restarts of the pod so far
 * @param reason       last termination reason, e.g. {@code OOMKilled} or {@code Error (exit 137)}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodRestarted(PodRef pod, String container, int restartCount, String reason) implements EventData {

    public PodRestarted {
        Names.requirePresent(pod, "pod");
        if (restartCount < 1) {
            throw new IllegalArgumentException("restartCount must be at least 1");
        }
    }

    @Override
    public String key() {
        return pod.key();
    }
}
