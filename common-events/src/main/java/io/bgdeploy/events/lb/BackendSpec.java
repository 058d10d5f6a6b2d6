package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A named set of servers. {@code id} is {@code <namespace>-<appName>-<version>} for backends the
 * deployer writes.
 *
 * @param healthCheckPath HTTP path HAProxy checks on each server; absent: TCP check only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendSpec(String id, List<ServerSpec> servers, boolean compression, List<HttpHeader> headers,
                          String healthCheckPath) {

    public static final int MAX_SERVERS = 1000;

    public BackendSpec {
        Names.requireBackendId(id);
        servers = servers == null ? List.of() : List.copyOf(servers);
        headers = headers == null ? List.of() : List.copyOf(headers);
        if (servers.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("backend " + id + " has more than " + MAX_SERVERS + " servers");
        }
        Set<String> names = new HashSet<>();
        for (ServerSpec s : servers) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("backend " + id + " names server '" + s.name() + "' twice");
            }
        }
        if (healthCheckPath != null) {
            Names.requireUrlPath(healthCheckPath);
        }
    }
}
