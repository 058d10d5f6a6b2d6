package io.bgdeploy.events.lb;

import io.bgdeploy.events.Names;

/** One server of a backend: a pod's address and port. */
public record ServerSpec(String name, String address, int port) {
    public ServerSpec {
        Names.requireServerName(name);
        Names.requireIpAddress(address);
        Names.requirePort(port, "server port");
    }
}
