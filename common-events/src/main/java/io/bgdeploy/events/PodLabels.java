package io.bgdeploy.events;

/**
 * The labels the deployer puts on every pod it starts, and that the services watching pods read
 * back (the log collector adds them to every log line). Their names live here only, so that a
 * rename is one change.
 */
public final class PodLabels {

    /** The app's name (the descriptor's {@code appName}). */
    public static final String APP = "app";
    /** The app's version. */
    public static final String VERSION = "version";
    /** The deployment that started the pod. */
    public static final String DEPLOYMENT_ID = "bgdeploy.io/deployment-id";
    /** Marks the workloads the deployer owns. */
    public static final String MANAGED_BY = "managed-by";
    /** The value of {@link #MANAGED_BY} on the deployer's workloads. */
    public static final String MANAGED_BY_DEPLOYER = "bgdeploy-deployer";

    private PodLabels() {
    }
}
