package io.bgdeploy.lb.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * The whole load-balancer configuration, as read from etcd at one revision. Frontends and
 * backends are kept sorted so that the same configuration always renders to the same text, and
 * indexed so that a lookup does not scan thousands of entries.
 *
 * <p>The maps are persistent ({@link IndexedSortedMap}): {@link #with} shares everything a change
 * did not touch with the model it came from, so a switch among 5,000 apps costs a few tree nodes,
 * not a copy of 15,000 entries (which, with small heaps, kept the agents collecting their old
 * generation).
 */
public final class LbModel {

    public static final LbModel EMPTY = new LbModel(IndexedSortedMap.empty(FrontendConfig::host, FrontendConfig::backendId),
            IndexedSortedMap.empty(BackendConfig::id, BackendConfig::app));

    /** By host; indexed by the backend each routes to. */
    private final IndexedSortedMap<HostName, FrontendConfig, String> frontends;
    /** By id; indexed by app (a backend of no app is not indexed). */
    private final IndexedSortedMap<String, BackendConfig, AppRef> backends;

    public LbModel(List<FrontendConfig> frontends, List<BackendConfig> backends) {
        List<FrontendConfig> f = frontends == null ? List.of() : frontends;
        List<BackendConfig> b = backends == null ? List.of() : backends;
        this.frontends = EMPTY.frontends.with(List.of(), f);
        this.backends = EMPTY.backends.with(List.of(), b);
        if (this.frontends.size() != f.size()) {
            throw new IllegalArgumentException("frontend " + twice(f.stream().map(FrontendConfig::host).toList()) + " appears twice");
        }
        if (this.backends.size() != b.size()) {
            throw new IllegalArgumentException("backend " + twice(b.stream().map(BackendConfig::id).toList()) + " appears twice");
        }
    }

    private LbModel(IndexedSortedMap<HostName, FrontendConfig, String> frontends,
                    IndexedSortedMap<String, BackendConfig, AppRef> backends) {
        this.frontends = frontends;
        this.backends = backends;
    }

    private static <T> T twice(List<T> keys) {
        Set<T> seen = new HashSet<>();
        return keys.stream().filter(k -> !seen.add(k)).findFirst().orElseThrow();
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
        return new LbModel(frontends.with(removedHosts, putFrontends), backends.with(removedBackends, putBackends));
    }

    /** Every frontend, sorted by host name. */
    public List<FrontendConfig> frontends() {
        return frontends.values();
    }

    /** Every backend, sorted by id. */
    public List<BackendConfig> backends() {
        return backends.values();
    }

    public Optional<BackendConfig> backend(String id) {
        return backends.get(id);
    }

    public Optional<FrontendConfig> frontend(HostName host) {
        return frontends.get(host);
    }

    /** The ids of the backends (versions) of {@code app}, sorted; empty when it has none. */
    public SortedSet<String> backendIdsOf(AppRef app) {
        return backends.keysWith(app);
    }

    /** The hosts whose frontend routes to backend {@code backendId}, sorted; empty when none does. */
    public SortedSet<HostName> hostsRoutedTo(String backendId) {
        return frontends.keysWith(backendId);
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
        return "LbModel[frontends=" + frontends + ", backends=" + backends + "]";
    }
}
