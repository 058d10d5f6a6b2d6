package io.bgdeploy.localplatform;

/** What the platform tells about the pods of a workload. Called from the platform's threads. */
public interface PodListener {

    /** Every container of the pod runs (not yet necessarily healthy). */
    void podRunning(RunningPod pod);

    /** A container of the pod ended and was started again. */
    void podRestarted(RunningPod pod, String container, int restartCount, String reason);

    /** The pod was stopped or deleted, or ended while no supervisor ran. */
    void podGone(String podName, String reason);

    /** Hears nothing: for a workload adopted before anyone attaches to it. */
    PodListener NONE = new PodListener() {
        @Override
        public void podRunning(RunningPod pod) {
        }

        @Override
        public void podRestarted(RunningPod pod, String container, int restartCount, String reason) {
        }

        @Override
        public void podGone(String podName, String reason) {
        }
    };
}
