package io.bgdeploy.deployer.model;

import java.util.List;
import java.util.Set;

/**
 * Where workloads run. A workload is {@code <appName>-<version>} with a number of identical pods;
 * the platform reports its pods' lifecycle to the {@link PodListener} given at creation (and to
 * the listener given to {@link #attach} after a restart of the deployer).
 */
public interface Platform {

    /** Short name: {@code local} or {@code kubernetes}. */
    String name();

    /** Problems that make the workload impossible on this platform; empty when it can run. */
    List<String> check(WorkloadSpec spec);

    /** Creates the workload and its versioned service; pods are reported to the listener as they run. */
    void create(WorkloadSpec spec, PodListener listener);

    /** Reports the workload's pods to this listener from now on (after a restart of the deployer). */
    void attach(String namespace, String workloadName, PodListener listener);

    /** The workload's pods that run now. */
    List<PodInfo> pods(String namespace, String workloadName);

    /** Whether a workload of that name exists (at any scale). */
    boolean exists(String namespace, String workloadName);

    /** Scales the workload; 0 stops every pod. */
    void scale(String namespace, String workloadName, int replicas);

    /** Deletes the workload, its pods and its versioned service; nothing happens if it does not exist. */
    void delete(String namespace, String workloadName);

    /** Names of the workloads of an app that this deployer manages. */
    List<String> workloads(String namespace, String appName);

    /** Every workload this deployer manages, in every namespace (to find orphans after a restart). */
    List<WorkloadRef> managedWorkloads();

    /**
     * Points the app's stable address (on Kubernetes the Service {@code <appName>}) at the pods of
     * this version, so that clients inside the platform reach whichever version serves: created
     * when missing, else moved; calling it again changes nothing. Only the spec's namespace, app
     * name, version and ports matter. Called only once the version's pods are healthy and the load
     * balancer routes to them.
     *
     * @return false when the platform has no stable addresses (nothing was done)
     */
    default boolean routeStable(WorkloadSpec serving) {
        return false;
    }

    /**
     * Removes the app's stable address if it routes to this version (whose pods are about to go);
     * nothing happens when it routes to another version or does not exist.
     *
     * @return whether an address was removed
     */
    default boolean removeStable(String namespace, String appName, String version) {
        return false;
    }

    /**
     * Makes the app's workloads manageable by this deployer instance before it continues a
     * deployment that another instance began and left behind (that instance stopped or lost the
     * app's lock). A platform whose workloads every instance sees already has nothing to do.
     *
     * @return whether workloads were taken over (they must be checked and re-attached)
     */
    default boolean takeOver(String namespace, String appName) {
        return false;
    }

    /**
     * The apps ({@code <namespace>/<app>}) with workloads that a stopped deployer instance left
     * and no instance manages now; the caller takes each over while it holds the app's lock.
     */
    default Set<String> appsToTakeOver() {
        return Set.of();
    }

    /**
     * Whether a workload the deployer keeps (it serves) runs fewer pods here than it should, and no
     * one else brings them back: the local platform after it was stopped. Kubernetes' ReplicaSets
     * keep their pods themselves, so there the answer is always no.
     */
    default boolean needsRestore(WorkloadSpec spec) {
        return false;
    }

    /**
     * Starts the pods a kept workload lacks (on new ports), reports them to the listener, and
     * reports as gone the pods that ended while no deployer ran them; pods that still run are kept.
     * The caller holds the app's lock.
     *
     * @return whether pods were started
     */
    default boolean restore(WorkloadSpec spec, PodListener listener) {
        return false;
    }

    /** A workload by namespace and name. */
    record WorkloadRef(String namespace, String name) {
    }
}
