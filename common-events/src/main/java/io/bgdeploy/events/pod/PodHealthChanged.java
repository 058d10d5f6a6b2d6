package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/** A pod's health changed; carries the probe that decided it, so a failure can say why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodHealthChanged(PodRef pod, PodHealthState state, ProbeResult lastProbe) implements EventData {

    public PodHealthChanged {
        Names.requirePresent(pod, "pod");
        Names.requirePresent(state, "state");
        if (state != PodHealthState.GONE) {
            Names.requirePresent(lastProbe, "lastProbe");
        }
    }

    @Override
    public String key() {
        return pod.key();
    }
}
