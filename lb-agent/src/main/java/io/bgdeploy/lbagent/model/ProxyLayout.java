package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.lb.model.IndexedSortedMap;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Everything the agent puts into its HAProxy: the hosts with where each goes, and the backend
 * sections with the servers in them. The structure (the hosts' rules and the sections with
 * their settings) lives in haproxy.cfg and changes with a reload; the rest (servers, and the
 * hosts map) changes through the Runtime API and is written to the files too, so a restart comes
 * up the same.
 *
 * <p>Immutable. Routes are kept sorted by host and slots by name, indexed, so that a lookup or a
 * change of a few of them ({@link #with}) does not plan or compare thousands of others. The maps
 * are persistent ({@link IndexedSortedMap}): a changed layout shares every untouched entry with the
 * one it came from.
 */
public final class ProxyLayout {

    /** The section of a host whose backend does not exist: it answers 503. */
    public static final String UNAVAILABLE = "unavailable";
    /** The section of a host nobody configured: it answers 404. */
    public static final String NO_ROUTE = "no_route";

    public static final ProxyLayout EMPTY = new ProxyLayout(IndexedSortedMap.empty(Route::host, Route::target),
            IndexedSortedMap.empty(Slot::name, Slot::backendId));

    /** By host; indexed by the section each is routed to. */
    private final IndexedSortedMap<HostName, Route, String> routes;
    /** By name; indexed by the backend each holds (a free slot is not indexed). */
    private final IndexedSortedMap<String, Slot, String> slots;

    public ProxyLayout(List<Route> routes, List<Slot> slots) {
        this(EMPTY.routes.with(List.of(), routes), EMPTY.slots.with(List.of(), slots));
    }

    private ProxyLayout(IndexedSortedMap<HostName, Route, String> routes, IndexedSortedMap<String, Slot, String> slots) {
        this.routes = routes;
        this.slots = slots;
    }

    /** Every route, sorted by host. */
    public List<Route> routes() {
        return routes.values();
    }

    /** Every slot, sorted by name. */
    public List<Slot> slots() {
        return slots.values();
    }

    /** Host to the section it is routed to, sorted by host. */
    public Map<HostName, String> hostMap() {
        Map<HostName, String> map = new LinkedHashMap<>();
        routes.values().forEach(r -> map.put(r.host(), r.target()));
        return map;
    }

    /** The hosts routed to section {@code name}, sorted. */
    public SortedSet<HostName> hostsRoutedTo(String name) {
        return routes.keysWith(name);
    }

    /** The names of the slots backend {@code backendId} occupies, sorted. */
    public SortedSet<String> slotsOf(String backendId) {
        return slots.keysWith(backendId);
    }

    public Optional<Route> route(HostName host) {
        return routes.get(host);
    }

    public Optional<Slot> slot(String name) {
        return slots.get(name);
    }

    /** The slots whose name starts with {@code prefix}, in name order. */
    public Collection<Slot> slotsNamed(String prefix) {
        return slots.range(prefix, prefix + Character.MAX_VALUE);
    }

    /**
     * This layout with some routes and slots replaced, added or removed.
     *
     * @param removedSlots names of slots that go (a slot also in {@code putSlots} stays, replaced)
     * @param putSlots     slots to add or replace, by name
     * @param removedHosts hosts whose route goes
     * @param putRoutes    routes to add or replace, by host
     */
    public ProxyLayout with(Collection<String> removedSlots, Collection<Slot> putSlots, Collection<HostName> removedHosts,
                            Collection<Route> putRoutes) {
        return new ProxyLayout(routes.with(removedHosts, putRoutes), slots.with(removedSlots, putSlots));
    }

    /** What only a reload can change: this layout without servers, slot occupants and map targets. */
    public ProxyLayout structure() {
        return new ProxyLayout(routes().stream().map(Route::structure).toList(), slots().stream().map(Slot::structure).toList());
    }

    public boolean sameStructureAs(ProxyLayout other) {
        return other != null && structure().equals(other.structure());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyLayout other && routes.equals(other.routes) && slots.equals(other.slots);
    }

    @Override
    public int hashCode() {
        return routes.hashCode() * 31 + slots.hashCode();
    }

    @Override
    public String toString() {
        return "ProxyLayout[routes=" + routes() + ", slots=" + slots() + "]";
    }
}
