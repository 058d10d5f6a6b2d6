package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

/**
 * Creates a frontend or points it to another backend, as a compare-and-swap: applied only if the
 * frontend now routes to {@code expectedBackendId} (absent: only if the frontend does not exist
 * yet). A stale switch, made after someone else switched, is rejected.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SwitchFrontend(String commandId, String deploymentId, String namespace, String appName,
                             FrontendSpec frontend, String backendId, String expectedBackendId) implements LbCommand {

    public SwitchFrontend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requirePresent(frontend, "frontend");
        Names.requireBackendId(backendId);
        if (expectedBackendId != null) {
            Names.requireBackendId(expectedBackendId);
        }
    }
}
