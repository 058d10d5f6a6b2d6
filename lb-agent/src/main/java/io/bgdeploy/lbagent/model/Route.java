package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.FrontendSpec;

import java.util.Objects;

/**
 * A host and where it goes. The host's own rules (redirects, response headers, TLS) are part of
 * the file; which section it goes to is an entry of the hosts map, changed at run time.
 *
 * @param spec   the frontend as configured
 * @param target the backend section the host is routed to: a slot, or {@link ProxyLayout#UNAVAILABLE}
 */
public record Route(FrontendSpec spec, String target) {

    public Route {
        Objects.requireNonNull(spec, "spec");
    }

    /** The host, in lower case as HAProxy compares it with the request's lower-cased Host header. */
    public HostName host() {
        return spec.host();
    }

    public Route structure() {
        return new Route(spec, null);
    }
}
