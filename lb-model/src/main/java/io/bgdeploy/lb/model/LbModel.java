package io.bgdeploy.lb.model;

import io.bgdeploy.events.HostName;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole load-balancer configuration, as read from etcd at one revision. Frontends and
 * backends are kept sorted so that the same configuration always renders to the same text, and
 * indexed so that a lookup does not scan thousands of entries.
 */
public final class LbModel {

    public static final LbModel EMPTY = new LbModel(List.of(), List.of());

    private final Map<HostName, FrontendConfig> frontends;
    private final Map<String, BackendConfig> backends;
    private final List<FrontendConfig> frontendList;
    private final List<BackendConfig> backendList;

    public LbModel(List<FrontendConfig> frontends, List<BackendConfig> backends) {
        Map<HostName, FrontendConfig> byHost = new TreeMap<>();
        for (FrontendConfig f : frontends == null ? List.<FrontendConfig>of() : frontends) {
            if (byHost.put(f.host(), f) != null) {
                throw new IllegalArgumentException("frontend " + f.host() + " appears twice");
            }
        }
        Map<String, BackendConfig> byId = new TreeMap<>();
        for (BackendConfig b : backends == null ? List.<BackendConfig>of() : backends) {
            if (byId.put(b.id(), b) != null) {
                throw new IllegalArgumentException("backend " + b.id() + " appears twice");
            }
        }
        this.frontends = Collections.unmodifiableMap(new LinkedHashMap<>(byHost));
        this.backends = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
        this.frontendList = List.copyOf(byHost.values());
        this.backendList = List.copyOf(byId.values());
    }

    /** Every frontend, sorted by host name. */
    public List<FrontendConfig> frontends() {
        return frontendList;
    }

    /** Every backend, sorted by id. */
    public List<BackendConfig> backends() {
        return backendList;
    }

    public Optional<BackendConfig> backend(String id) {
        return Optional.ofNullable(backends.get(id));
    }

    public Optional<FrontendConfig> frontend(HostName host) {
        return Optional.ofNullable(frontends.get(host));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LbModel m && frontends.equals(m.frontends) && backends.equals(m.backends);
    }

    @Override
    public int hashCode() {
        return frontends.hashCode() * 31 + backends.hashCode();
    }

    @Override
    public String toString() {
        return "LbModel[frontends=" + frontends.values() + ", backends=" + backends.values() + "]";
    }
}
