package io.bgdeploy.deployer.model;

/** What a platform tells about the pods of a workload. Called from platform threads. */
public interface PodListener {

    /** The pod's container runs and has an address (not yet necessarily healthy). */
    void podRunning(PodInfo pod);

    /** The platform restarted the pod's container after it ended. */
    void podRestarted(PodInfo pod, String container, int restartCount, String reason);

    /** The pod was stopped or deleted. */
    void podGone(String podName, String reason);

    PodListener NONE = new PodListener() {
        @Override
        public void podRunning(PodInfo pod) {
        }

        @Override
        public void podRestarted(PodInfo pod, String container, int restartCount, String reason) {
        }

        @Override
        public void podGone(String podName, String reason) {
        }
    };
}
