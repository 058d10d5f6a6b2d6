package io.bgdeploy.events.pod;

/** Transitions that health-service publishes; nothing is published while a state holds. */
public enum PodHealthState {
    /** Passed the success threshold for the first time. */
    READY,
    /** Failed the failure threshold. */
    UNHEALTHY,
    /** Ready again after having been unhealthy. */
    RECOVERED,
    /** No longer probed: the pod is gone. */
    GONE;

    public boolean isServing() {
        return this == READY || this == RECOVERED;
    }
}
