package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;

import java.time.Instant;

/**
 * One deployment of one version of an app, as stored and as the REST API shows it.
 *
 * @param phase       the phase it is in (or ended in)
 * @param blueVersion the version that served when it started, if any
 * @param reason      why it failed or ended
 * @param descriptor  a copy of the descriptor as submitted
 * @param drainUntil  while draining: when blue may go (kept across a restart, so a deployment
 *                    continued by another deployer process drains only the rest of its delay)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Deployment(String id, Instant created, Instant lastModified, String namespace, String appName,
                         String version, DeploymentStatus status, DeploymentPhase phase, String requestedBy,
                         String requestId, String descriptorId, String blueVersion, String reason,
                         Descriptor descriptor, Instant drainUntil) {

    public String appKey() {
        return namespace + "/" + appName;
    }

    public Deployment withStatus(DeploymentStatus newStatus, String newReason) {
        return new Deployment(id, created, Instant.now(), namespace, appName, version, newStatus, phase, requestedBy,
                requestId, descriptorId, blueVersion, newReason, descriptor, drainUntil);
    }

    public Deployment withPhase(DeploymentPhase newPhase) {
        return new Deployment(id, created, Instant.now(), namespace, appName, version, status, newPhase, requestedBy,
                requestId, descriptorId, blueVersion, reason, descriptor, drainUntil);
    }

    public Deployment withBlueVersion(String newBlueVersion) {
        return new Deployment(id, created, Instant.now(), namespace, appName, version, status, phase, requestedBy,
                requestId, descriptorId, newBlueVersion, reason, descriptor, drainUntil);
    }

    public Deployment withDrainUntil(Instant until) {
        return new Deployment(id, created, Instant.now(), namespace, appName, version, status, phase, requestedBy,
                requestId, descriptorId, blueVersion, reason, descriptor, until);
    }
}
