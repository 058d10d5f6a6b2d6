package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/**
 * A pod restarted more often than allowed within a window. Raised once per pod and window, not
 * once per restart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestartAlertRaised(PodRef pod, int restartsInWindow, long windowSeconds, int threshold,
                                 String lastReason) implements EventData {

    public RestartAlertRaised {
        Names.requirePresent(pod, "pod");
    }

    @Override
    public String key() {
        return pod.key();
    }
}
