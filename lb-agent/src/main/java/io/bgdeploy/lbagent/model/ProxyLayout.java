package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the agent puts into its HAProxy: the hosts with where each goes, and the backend
 * sections with the servers in them. The structure (the hosts' rules and the sections with
 * their settings) lives in haproxy.cfg and changes with a reload; the rest (servers, and the
 * hosts map) changes through the Runtime API and is written to the files too, so a restart comes
 * up the same.
 */
public record ProxyLayout(List<Route> routes, List<Slot> slots) {

    /** The section of a host whose backend does not exist: it answers 503. */
    public static final String UNAVAILABLE = "unavailable";
    /** The section of a host nobody configured: it answers 404. */
    public static final String NO_ROUTE = "no_route";

    public static final ProxyLayout EMPTY = new ProxyLayout(List.of(), List.of());

    public ProxyLayout {
        routes = List.copyOf(routes);
        slots = List.copyOf(slots);
    }

    /** Host to the section it is routed to, sorted by host. */
    public Map<HostName, String> hostMap() {
        Map<HostName, String> map = new LinkedHashMap<>();
        routes.forEach(r -> map.put(r.host(), r.target()));
        return map;
    }

    /** What only a reload can change: this layout without servers, slot occupants and map targets. */
    public ProxyLayout structure() {
        return new ProxyLayout(routes.stream().map(Route::structure).toList(), slots.stream().map(Slot::structure).toList());
    }

    public boolean sameStructureAs(ProxyLayout other) {
        return other != null && structure().equals(other.structure());
    }

    public Optional<Slot> slot(String name) {
        return slots.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
