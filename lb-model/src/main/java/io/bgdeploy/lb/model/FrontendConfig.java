package io.bgdeploy.lb.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.lb.FrontendSpec;

import java.util.Objects;

/**
 * A virtual host as stored: its options and the backend it routes to. Both parts are validated
 * types, so nothing in here can change the meaning of the rendered configuration.
 */
public record FrontendConfig(FrontendSpec spec, String backendId) {

    public FrontendConfig {
        Objects.requireNonNull(spec, "spec is required");
        Names.requireBackendId(backendId);
    }

    public HostName host() {
        return spec.host();
    }
}
