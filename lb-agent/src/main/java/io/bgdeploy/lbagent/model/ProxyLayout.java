package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the agent puts into its HAProxy: the hosts with where each goes, and the backend
 * sections with the servers in them. The structure (the hosts' rules and the sections with
 * their settings) lives in haproxy.cfg and changes with a reload; the rest (servers, and the
 * hosts map) changes through the Runtime API and is written to the files too, so a restart comes
 * up the same.
 *
 * <p>Immutable. Routes are kept sorted by host and slots by name, indexed, so that a lookup or a
 * change of a few of them ({@link #with}) does not plan or compare thousands of others.
 */
public final class ProxyLayout {

    /** The section of a host whose backend does not exist: it answers 503. */
    public static final String UNAVAILABLE = "unavailable";
    /** The section of a host nobody configured: it answers 404. */
    public static final String NO_ROUTE = "no_route";

    public static final ProxyLayout EMPTY = new ProxyLayout(List.of(), List.of());

    private final SortedMap<HostName, Route> routes;
    private final SortedMap<String, Slot> slots;
    private final List<Route> routeList;
    private final List<Slot> slotList;

    public ProxyLayout(List<Route> routes, List<Slot> slots) {
        TreeMap<HostName, Route> byHost = new TreeMap<>();
        routes.forEach(r -> byHost.put(r.host(), r));
        TreeMap<String, Slot> byName = new TreeMap<>();
        slots.forEach(s -> byName.put(s.name(), s));
        this.routes = Collections.unmodifiableSortedMap(byHost);
        this.slots = Collections.unmodifiableSortedMap(byName);
        this.routeList = List.copyOf(byHost.values());
        this.slotList = List.copyOf(byName.values());
    }

    private ProxyLayout(TreeMap<HostName, Route> routes, TreeMap<String, Slot> slots) {
        this.routes = Collections.unmodifiableSortedMap(routes);
        this.slots = Collections.unmodifiableSortedMap(slots);
        this.routeList = List.copyOf(routes.values());
        this.slotList = List.copyOf(slots.values());
    }

    /** Every route, sorted by host. */
    public List<Route> routes() {
        return routeList;
    }

    /** Every slot, sorted by name. */
    public List<Slot> slots() {
        return slotList;
    }

    /** Host to the section it is routed to, sorted by host. */
    public Map<HostName, String> hostMap() {
        Map<HostName, String> map = new LinkedHashMap<>();
        routeList.forEach(r -> map.put(r.host(), r.target()));
        return map;
    }

    public Optional<Route> route(HostName host) {
        return Optional.ofNullable(routes.get(host));
    }

    public Optional<Slot> slot(String name) {
        return Optional.ofNullable(slots.get(name));
    }

    /** The slots whose name starts with {@code prefix}, in name order. */
    public Collection<Slot> slotsNamed(String prefix) {
        return slots.subMap(prefix, prefix + Character.MAX_VALUE).values();
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
        TreeMap<String, Slot> nextSlots = new TreeMap<>(slots);
        removedSlots.forEach(nextSlots::remove);
        putSlots.forEach(s -> nextSlots.put(s.name(), s));
        TreeMap<HostName, Route> nextRoutes = new TreeMap<>(routes);
        removedHosts.forEach(nextRoutes::remove);
        putRoutes.forEach(r -> nextRoutes.put(r.host(), r));
        return new ProxyLayout(nextRoutes, nextSlots);
    }

    /** What only a reload can change: this layout without servers, slot occupants and map targets. */
    public ProxyLayout structure() {
        return new ProxyLayout(routeList.stream().map(Route::structure).toList(), slotList.stream().map(Slot::structure).toList());
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
        return "ProxyLayout[routes=" + routeList + ", slots=" + slotList + "]";
    }
}
