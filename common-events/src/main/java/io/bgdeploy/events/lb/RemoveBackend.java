package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

/** Removes a backend; rejected while a frontend still routes to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoveBackend(String commandId, String deploymentId, String namespace, String appName, String backendId)
        implements LbCommand {

    public RemoveBackend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireBackendId(backendId);
    }
}
