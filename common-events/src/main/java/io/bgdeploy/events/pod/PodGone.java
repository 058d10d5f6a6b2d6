package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/** A pod was deleted or stopped; probing it ends. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodGone(PodRef pod, String reason) implements EventData {

    public PodGone {
        Names.requirePresent(pod, "pod");
    }

    @Override
    public String key() {
        return pod.key();
    }
}
