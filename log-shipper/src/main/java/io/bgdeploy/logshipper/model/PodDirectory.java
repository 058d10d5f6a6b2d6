package io.bgdeploy.logshipper.model;

import java.util.Optional;

/**
 * What the cluster says about the pods of this node: the identity the deployer gave each one in
 * its labels. The collector adds it to every line of the pod, so that Graylog can search by app,
 * version and deployment.
 */
public interface PodDirectory {

    /** The identity of a pod, or empty if the directory does not know the pod (yet). */
    Optional<PodIdentity> identity(String namespace, String pod);

    /** For a platform without a pod API (files alone): every pod is unknown. */
    PodDirectory NONE = (namespace, pod) -> Optional.empty();

    /**
     * @param app          {@code null} when the pod has no such label
     * @param version      {@code null} when the pod has no such label
     * @param deploymentId {@code null} when the pod has no such label
     */
    record PodIdentity(String app, String version, String deploymentId) {
    }
}
