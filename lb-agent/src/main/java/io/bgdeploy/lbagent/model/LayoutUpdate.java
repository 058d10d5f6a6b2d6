package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;

import java.util.Set;

/**
 * A layout planned anew for a few changed frontends and backends, and what that touched.
 *
 * @param layout     the whole layout after the change
 * @param slots      the sections planned anew (added, replaced or gone): nothing else can differ
 * @param hosts      the hosts routed anew (added, replaced or gone): nothing else can differ
 * @param structural a touched section or host differs in what only a reload can change
 */
public record LayoutUpdate(ProxyLayout layout, Set<String> slots, Set<HostName> hosts, boolean structural) {

    public LayoutUpdate {
        slots = Set.copyOf(slots);
        hosts = Set.copyOf(hosts);
    }
}
