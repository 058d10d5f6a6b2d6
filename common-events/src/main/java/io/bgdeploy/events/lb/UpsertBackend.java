package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

/** Creates or replaces a backend with its servers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpsertBackend(String commandId, String deploymentId, String namespace, String appName, BackendSpec backend)
        implements LbCommand {

    public UpsertBackend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requirePresent(backend, "backend");
    }
}
