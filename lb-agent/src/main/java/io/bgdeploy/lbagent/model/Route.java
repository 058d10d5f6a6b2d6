package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.lb.FrontendSpec;

import java.util.Locale;
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

    /** The host as HAProxy compares it (the request's Host header is lower-cased). */
    public String host() {
        return spec.hostname().toLowerCase(Locale.ROOT);
    }

    public Route structure() {
        return new Route(spec, null);
    }
}
