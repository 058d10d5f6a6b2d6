package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

/**
 * A deployment entered a phase, or finished one.
 *
 * @param previousPhaseMillis how long the previous phase took, if there was one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentPhaseChanged(String deploymentId, String namespace, String appName, String version,
                                     DeploymentPhase phase, String message, Long previousPhaseMillis)
        implements EventData {

    public DeploymentPhaseChanged {
        Names.requireText(deploymentId, "deploymentId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireVersion(version);
        Names.requirePresent(phase, "phase");
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
