package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

/**
 * A deployment reached a final status: {@code DEPLOYED}, {@code UNDEPLOYED} or {@code FAILURE}.
 *
 * @param reason why it failed; absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentFinished(String deploymentId, String namespace, String appName, String version,
                                 DeploymentStatus status, String reason, long durationMillis) implements EventData {

    public DeploymentFinished {
        Names.requireText(deploymentId, "deploymentId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireVersion(version);
        Names.requirePresent(status, "status");
        if (!status.isFinal()) {
            throw new IllegalArgumentException("status " + status + " is not final");
        }
        if (status == DeploymentStatus.FAILURE) {
            Names.requireText(reason, "reason");
        }
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
