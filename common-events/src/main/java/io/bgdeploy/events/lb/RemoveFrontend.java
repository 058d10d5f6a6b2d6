package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

/**
 * Removes a frontend. With {@code expectedBackendId}, only if it still routes there (so a failed
 * first deployment never removes a frontend someone else has switched meanwhile).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoveFrontend(String commandId, String deploymentId, String namespace, String appName,
                             String hostname, String expectedBackendId) implements LbCommand {

    public RemoveFrontend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireHostName(hostname);
        if (expectedBackendId != null) {
            Names.requireBackendId(expectedBackendId);
        }
    }
}
