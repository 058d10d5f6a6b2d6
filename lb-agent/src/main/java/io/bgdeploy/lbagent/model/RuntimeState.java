package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.ServerSpec;

import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the running HAProxy has now, as far as the Runtime API can change it: the entries of the
 * hosts map and the servers of each section.
 *
 * @param hostMap host to section
 * @param servers section name to its servers by name
 */
public record RuntimeState(Map<HostName, String> hostMap, Map<String, Map<String, Server>> servers) {

    /** A server as HAProxy has it; {@code ready} is false while it is in maintenance. */
    public record Server(String name, String address, int port, boolean ready) {
    }

    public RuntimeState {
        hostMap = hostMap instanceof PMap<HostName, String> persistent ? persistent : HashTreePMap.from(hostMap);
        servers = immutable(servers);
    }

    /**
     * Persistent maps, with every section's servers immutable: a state made from the previous one
     * for a change of a few sections and hosts ({@link #with}) shares all the others with it; at
     * 5,000 apps copies of 10,000 sections and 5,000 hosts per switch were a good part of the
     * agent's garbage.
     */
    private static PMap<String, Map<String, Server>> immutable(Map<String, Map<String, Server>> servers) {
        if (servers instanceof PMap<String, Map<String, Server>> persistent) {
            return persistent; // only made here or by with(), whose inner maps are immutable
        }
        PMap<String, Map<String, Server>> copy = HashTreePMap.empty();
        for (Map.Entry<String, Map<String, Server>> e : servers.entrySet()) {
            copy = copy.plus(e.getKey(), Map.copyOf(e.getValue()));
        }
        return copy;
    }

    /**
     * This state with some sections' servers and some hosts' entries replaced: a section or host
     * mapped to null goes.
     */
    public RuntimeState with(Map<String, Map<String, Server>> sections, Map<HostName, String> hosts) {
        PMap<String, Map<String, Server>> nextServers = (PMap<String, Map<String, Server>>) servers;
        for (Map.Entry<String, Map<String, Server>> e : sections.entrySet()) {
            nextServers = e.getValue() == null ? nextServers.minus(e.getKey()) : nextServers.plus(e.getKey(), Map.copyOf(e.getValue()));
        }
        PMap<HostName, String> nextHosts = (PMap<HostName, String>) hostMap;
        for (Map.Entry<HostName, String> e : hosts.entrySet()) {
            nextHosts = e.getValue() == null ? nextHosts.minus(e.getKey()) : nextHosts.plus(e.getKey(), e.getValue());
        }
        return new RuntimeState(nextHosts, nextServers);
    }

    /** What HAProxy has right after it loaded the files of {@code layout}: every server ready. */
    public static RuntimeState of(ProxyLayout layout) {
        Map<String, Map<String, Server>> servers = new LinkedHashMap<>();
        for (Slot slot : layout.slots()) {
            Map<String, Server> byName = new LinkedHashMap<>();
            for (ServerSpec s : slot.servers()) {
                byName.put(s.name(), new Server(s.name(), s.address(), s.port(), true));
            }
            servers.put(slot.name(), byName);
        }
        return new RuntimeState(layout.hostMap(), servers);
    }

    public Map<String, Server> serversOf(String slot) {
        return servers.getOrDefault(slot, Map.of());
    }

    /** The same state without a server that was deleted. */
    public RuntimeState without(String slot, String server) {
        Map<String, Server> byName = new LinkedHashMap<>(serversOf(slot));
        byName.remove(server);
        return with(Map.of(slot, byName), Map.of());
    }
}
