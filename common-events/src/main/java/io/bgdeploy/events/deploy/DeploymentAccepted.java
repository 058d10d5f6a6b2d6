package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

/** A deploy request was accepted; from now on its events carry {@code deploymentId}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentAccepted(String deploymentId, String requestId, String requestedBy,
                                 String namespace, String appName, String version) implements EventData {

    public DeploymentAccepted {
        Names.requireText(deploymentId, "deploymentId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireVersion(version);
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
