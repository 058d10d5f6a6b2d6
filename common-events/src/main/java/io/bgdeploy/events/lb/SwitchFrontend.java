package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

/**
 * Creates a frontend or points it to another backend, as a compare-and-swap: applied only if the
 * frontend now routes to {@code expectedBackendId} (absent: only if the frontend does not exist
 * yet). A stale switch, made after someone else switched, is rejected.
 *
 * <p>With {@code backend}, the backend is created or replaced (as {@link UpsertBackend} does) in
 * the same transaction as the switch: both are applied, or neither is, and every agent brings the
 * backend's servers up before it routes the frontend to them. Without it, the backend must exist.
 *
 * @param backend the backend to upsert with the switch, whose id is {@code backendId}; null to
 *                switch to a backend that exists
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SwitchFrontend(String commandId, String deploymentId, String namespace, String appName,
                             FrontendSpec frontend, String backendId, String expectedBackendId, BackendSpec backend)
        implements LbCommand {

    public SwitchFrontend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requirePresent(frontend, "frontend");
        Names.requireBackendId(backendId);
        if (expectedBackendId != null) {
            Names.requireBackendId(expectedBackendId);
        }
        if (backend != null && !backend.id().equals(backendId)) {
            throw new IllegalArgumentException("backend " + backend.id() + " carried by the switch is not the backendId "
                    + backendId + " it switches to: send the backend the frontend is to route to");
        }
    }

    /** A switch to a backend that exists. */
    public SwitchFrontend(String commandId, String deploymentId, String namespace, String appName,
                          FrontendSpec frontend, String backendId, String expectedBackendId) {
        this(commandId, deploymentId, namespace, appName, frontend, backendId, expectedBackendId, null);
    }
}
