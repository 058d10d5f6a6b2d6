package io.bgdeploy.deployer.model;

import io.bgdeploy.events.deploy.Descriptor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Durable state of the deployer: descriptors, deployments, their logs and health-check data. */
public interface DeploymentStore {

    void saveDescriptor(Descriptor descriptor);

    Optional<Descriptor> findDescriptor(String namespace, String id);

    /** Descriptors of a namespace, oldest first, optionally of one app only. */
    List<Descriptor> listDescriptors(String namespace, String appName);

    boolean deleteDescriptor(String namespace, String id);

    void save(Deployment deployment);

    /**
     * Saves deployments at once, each as {@link #save} would: all of them or none (a deployment
     * that ends, and the version it replaced).
     */
    void saveAll(List<Deployment> deployments);

    Optional<Deployment> find(String namespace, String id);

    /**
     * Deployments of a namespace, optionally of one app only, in the order they were accepted: the
     * order in which an app's deployments run, the same for every deployer instance, with no ties.
     */
    List<Deployment> list(String namespace, String appName);

    /** Every deployment in every namespace, in the order they were accepted (to find orphaned workloads after a restart). */
    List<Deployment> listAll();

    /**
     * The deployments that are DEPLOYING or UNDEPLOYING, by id, with their app key
     * {@code <namespace>/<app>}: what instances look for to take over, often, so it must be cheap.
     */
    default Map<String, String> unfinished() {
        Map<String, String> result = new java.util.LinkedHashMap<>();
        for (Deployment d : listAll()) {
            if (d.status() != null && !d.status().isFinal()) {
                result.put(d.id(), d.appKey());
            }
        }
        return result;
    }

    boolean delete(String namespace, String id);

    /** Records that someone asked to switch a draining deployment back (the instance running it acts on it). */
    void requestRollback(String namespace, String deploymentId, String by);

    /** Who asked to switch a deployment back, if anyone did. */
    Optional<String> rollbackRequest(String namespace, String deploymentId);

    /** Records an undeploy request, before the deployment is marked UNDEPLOYING. */
    void saveUndeployRequest(String namespace, String deploymentId, UndeployRequest request);

    /** The undeploy request of a deployment, if one was made. */
    Optional<UndeployRequest> undeployRequest(String namespace, String deploymentId);

    void appendLog(String namespace, String deploymentId, String line);

    /** The lines of a deployment's log, in the order they were written. */
    default List<String> logs(String namespace, String deploymentId) {
        return logLines(namespace, deploymentId).stream().map(LogLine::text).toList();
    }

    /**
     * The lines of a deployment's log with their keys, in key order: every line this process wrote
     * so far is among them; a line another writer has not had confirmed yet may appear later
     * between older ones.
     */
    List<LogLine> logLines(String namespace, String deploymentId);

    void saveHealth(String namespace, String deploymentId, PodHealthRecord record);

    List<PodHealthRecord> health(String namespace, String deploymentId);

    /** Environment variables for every container, from {@code /deployer/environment/<KEY>}. */
    Map<String, String> environment();

    /** Indexes what an older deployer stored without indexes; returns how many deployments it indexed. */
    default int indexOlderDeployments() {
        return 0;
    }

    /** Whether the store answers (for the readiness check). */
    boolean reachable();
}
