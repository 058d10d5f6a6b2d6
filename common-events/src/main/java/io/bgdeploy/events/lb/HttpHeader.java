package io.bgdeploy.events.lb;

import io.bgdeploy.events.Names;

/** A response header the load balancer adds; both parts validated so they cannot break the config. */
public record HttpHeader(String name, String value) {
    public HttpHeader {
        Names.requireHeaderName(name);
        Names.requireHeaderValue(value);
    }
}
