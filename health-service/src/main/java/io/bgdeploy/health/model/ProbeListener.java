package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.ProbeResult;

/** Told about every probe and every transition; must not block (it is called on an event loop). */
public interface ProbeListener {

    void probed(ProbeTarget target, ProbeResult result);

    /** @param lastProbe absent only for {@link PodHealthState#GONE} of a pod never probed */
    void changed(ProbeTarget target, PodHealthState state, ProbeResult lastProbe);
}
