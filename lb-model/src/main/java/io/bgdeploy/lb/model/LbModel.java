package io.bgdeploy.lb.model;

import io.bgdeploy.events.HostName;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole load-balancer configuration, as read from etcd at one revision. Frontends and
 * backends are kept sorted so that the same configuration always renders to the same text, and
 * indexed so that a lookup does not scan thousands of entries.
 */
public final class LbModel {

    public static final LbModel EMPTY = new LbModel(List.of(), List.of());

    private final SortedMap<HostName, FrontendConfig> frontends;
    private final SortedMap<String, BackendConfig> backends;
    /** Built on first use: a model made by {@link #with} for a few changes is not copied whole into lists. */
    private List<FrontendConfig> frontendList;
    private List<BackendConfig> backendList;

    public LbModel(List<FrontendConfig> frontends, List<BackendConfig> backends) {
        TreeMap<HostName, FrontendConfig> byHost = new TreeMap<>();
        for (FrontendConfig f : frontends == null ? List.<FrontendConfig>of() : frontends) {
            if (byHost.put(f.host(), f) != null) {
                throw new IllegalArgumentException("frontend " + f.host() + " appears twice");
            }
        }
        TreeMap<String, BackendConfig> byId = new TreeMap<>();
        for (BackendConfig b : backends == null ? List.<BackendConfig>of() : backends) {
            if (byId.put(b.id(), b) != null) {
                throw new IllegalArgumentException("backend " + b.id() + " appears twice");
            }
        }
        this.frontends = Collections.unmodifiableSortedMap(byHost);
        this.backends = Collections.unmodifiableSortedMap(byId);
    }

    private LbModel(TreeMap<HostName, FrontendConfig> byHost, TreeMap<String, BackendConfig> byId) {
        this.frontends = Collections.unmodifiableSortedMap(byHost);
        this.backends = Collections.unmodifiableSortedMap(byId);
    }

    /**
     * This model with some frontends and backends replaced, added or removed: what a change of a
     * few entries in etcd makes of it, without decoding or validating the others again.
     *
     * @param putFrontends   frontends to add or replace (by host)
     * @param removedHosts   hosts whose frontend is gone
     * @param putBackends    backends to add or replace (by id)
     * @param removedBackends ids of backends that are gone
     */
    public LbModel with(Collection<FrontendConfig> putFrontends, Collection<HostName> removedHosts,
                        Collection<BackendConfig> putBackends, Collection<String> removedBackends) {
        TreeMap<HostName, FrontendConfig> byHost = new TreeMap<>(frontends);
        removedHosts.forEach(byHost::remove);
        putFrontends.forEach(f -> byHost.put(f.host(), f));
        TreeMap<String, BackendConfig> byId = new TreeMap<>(backends);
        removedBackends.forEach(byId::remove);
        putBackends.forEach(b -> byId.put(b.id(), b));
        return new LbModel(byHost, byId);
    }

    /** Every frontend, sorted by host name. */
    public List<FrontendConfig> frontends() {
        List<FrontendConfig> list = frontendList;
        if (list == null) {
            list = List.copyOf(frontends.values());
            frontendList = list;
        }
        return list;
    }

    /** Every backend, sorted by id. */
    public List<BackendConfig> backends() {
        List<BackendConfig> list = backendList;
        if (list == null) {
            list = List.copyOf(backends.values());
            backendList = list;
        }
        return list;
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
