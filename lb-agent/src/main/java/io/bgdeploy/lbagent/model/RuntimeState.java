package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.ServerSpec;

import java.util.HashMap;
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
        hostMap = Map.copyOf(hostMap);
        servers = immutable(servers);
    }

    /**
     * An immutable copy that keeps the sections' maps that are immutable already (every one but the
     * few a change touched): at 5,000 apps one more copy of 10,000 sections per switch was a good
     * part of the agent's garbage.
     */
    private static Map<String, Map<String, Server>> immutable(Map<String, Map<String, Server>> servers) {
        Map<String, Map<String, Server>> copy = null;
        for (Map.Entry<String, Map<String, Server>> e : servers.entrySet()) {
            Map<String, Server> byName = Map.copyOf(e.getValue());
            if (byName != e.getValue()) {
                if (copy == null) {
                    copy = new HashMap<>(servers);
                }
                copy.put(e.getKey(), byName);
            }
        }
        return Map.copyOf(copy == null ? servers : copy);
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
        Map<String, Map<String, Server>> copy = new LinkedHashMap<>(servers);
        Map<String, Server> byName = new LinkedHashMap<>(serversOf(slot));
        byName.remove(server);
        copy.put(slot, byName);
        return new RuntimeState(hostMap, copy);
    }
}
