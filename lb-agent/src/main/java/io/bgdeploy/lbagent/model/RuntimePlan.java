package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lbagent.model.RuntimeCommand.AddServer;
import io.bgdeploy.lbagent.model.RuntimeCommand.DeleteMapEntry;
import io.bgdeploy.lbagent.model.RuntimeCommand.MapEntry;
import io.bgdeploy.lbagent.model.RuntimeCommand.SetServerAddress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Runtime API commands that bring a running HAProxy from what it has to a layout of the same
 * structure, in an order that never routes a request to a server that is not there yet: first the
 * new servers (added in maintenance, then enabled), then moved and re-enabled servers, then the
 * hosts map (the switch), and last the servers that go, put into maintenance so they get no new
 * request; they are deleted once their connections are gone ({@link #retire()}).
 *
 * <p>The commands come in three steps, each sent in one round trip with the read back of what it
 * changed, and each only once the step before it is read back: a map entry never points at a
 * section whose new servers HAProxy refused, and no server leaves while the map still routes to it.
 *
 * @param serverCommands the new, moved and re-enabled servers
 * @param routeCommands  the hosts map (the switch)
 * @param leaveCommands  the servers that go, into maintenance
 * @param retire         servers put into maintenance here, to delete once drained
 * @param touchedSlots   sections whose servers change, to read back after the server commands
 * @param touchedHosts   hosts whose entry changes, to read back after the route commands
 */
public record RuntimePlan(List<RuntimeCommand> serverCommands, List<RuntimeCommand> routeCommands,
                          List<RuntimeCommand> leaveCommands, List<ServerRef> retire, Set<String> touchedSlots,
                          Set<HostName> touchedHosts) {

    /** A server of a section. */
    public record ServerRef(String section, String server) {
    }

    public RuntimePlan {
        serverCommands = List.copyOf(serverCommands);
        routeCommands = List.copyOf(routeCommands);
        leaveCommands = List.copyOf(leaveCommands);
        retire = List.copyOf(retire);
        touchedSlots = Set.copyOf(touchedSlots);
        touchedHosts = Set.copyOf(touchedHosts);
    }

    /** Every command, in the order they are sent. */
    public List<RuntimeCommand> commands() {
        List<RuntimeCommand> all = new ArrayList<>(serverCommands);
        all.addAll(routeCommands);
        all.addAll(leaveCommands);
        return all;
    }

    public boolean isEmpty() {
        return serverCommands.isEmpty() && routeCommands.isEmpty() && leaveCommands.isEmpty() && retire.isEmpty();
    }

    /**
     * What HAProxy has once the commands went through: the desired servers, ready, and the servers
     * that leave, in maintenance until they are deleted.
     */
    public RuntimeState expectedAfter(RuntimeState actual, ProxyLayout desired) {
        RuntimeState wanted = RuntimeState.of(desired);
        Map<String, Map<String, RuntimeState.Server>> servers = new java.util.LinkedHashMap<>();
        wanted.servers().forEach((slot, byName) -> servers.put(slot, new java.util.LinkedHashMap<>(byName)));
        leaving(actual, servers, false);
        return new RuntimeState(wanted.hostMap(), servers);
    }

    /**
     * {@link #expectedAfter(RuntimeState, ProxyLayout)} for a plan made only for some sections and
     * hosts ({@link #between(RuntimeState, ProxyLayout, String, Set, Set)}): the rest stays as it was.
     */
    public RuntimeState expectedAfter(RuntimeState actual, ProxyLayout desired, Set<String> slots, Set<HostName> hosts) {
        Map<String, Map<String, RuntimeState.Server>> sections = new java.util.HashMap<>();
        for (String name : slots) {
            sections.put(name, desired.slot(name).map(slot -> {
                Map<String, RuntimeState.Server> byName = new java.util.LinkedHashMap<>();
                slot.servers().forEach(s -> byName.put(s.name(), new RuntimeState.Server(s.name(), s.address(), s.port(), true)));
                return byName;
            }).orElse(null));
        }
        leaving(actual, sections, true);
        Map<HostName, String> map = new java.util.HashMap<>();
        for (HostName host : hosts) {
            map.put(host, desired.route(host).map(Route::target).orElse(null));
        }
        return actual.with(sections, map);
    }

    /**
     * Puts the servers that leave back into {@code servers}, in maintenance until they are deleted.
     * A section {@code servers} does not name is taken as {@code actual} has it when
     * {@code untouchedAsActual}, as empty otherwise; one it maps to null as empty.
     */
    private void leaving(RuntimeState actual, Map<String, Map<String, RuntimeState.Server>> servers, boolean untouchedAsActual) {
        for (ServerRef r : retire) {
            RuntimeState.Server was = actual.serversOf(r.section()).get(r.server());
            if (was != null) {
                Map<String, RuntimeState.Server> base = servers.containsKey(r.section()) || !untouchedAsActual
                        ? servers.get(r.section()) : actual.serversOf(r.section());
                Map<String, RuntimeState.Server> byName = new java.util.LinkedHashMap<>(base == null ? Map.of() : base);
                byName.put(r.server(), new RuntimeState.Server(was.name(), was.address(), was.port(), false));
                servers.put(r.section(), Map.copyOf(byName));
            }
        }
    }

    /**
     * The commands from {@code actual} to {@code desired}, whose structure HAProxy already has;
     * servers are added with the given health-check interval (the agent's, which its file has too).
     */
    public static RuntimePlan between(RuntimeState actual, ProxyLayout desired, String mapFile, int checkIntervalMillis) {
        Set<HostName> hosts = new TreeSet<>(actual.hostMap().keySet());
        hosts.addAll(desired.hostMap().keySet());
        return between(actual, desired, mapFile, desired.slots().stream().map(Slot::name).toList(), hosts, checkIntervalMillis);
    }

    /**
     * The commands that bring only the given sections and hosts from {@code actual} to {@code
     * desired} (whose structure HAProxy already has): what a change touched, when the rest is known
     * to be as desired already. Servers are added with the given health-check interval.
     */
    public static RuntimePlan between(RuntimeState actual, ProxyLayout desired, String mapFile, Collection<String> sections,
                                      Collection<HostName> scope, int checkIntervalMillis) {
        List<RuntimeCommand> add = new ArrayList<>();
        List<RuntimeCommand> change = new ArrayList<>();
        List<RuntimeCommand> route = new ArrayList<>();
        List<RuntimeCommand> remove = new ArrayList<>();
        List<ServerRef> retire = new ArrayList<>();
        Set<String> slots = new TreeSet<>();
        Set<HostName> hosts = new TreeSet<>();
        for (Slot slot : sections.stream().sorted().map(desired::slot).flatMap(Optional::stream).toList()) {
            Map<String, RuntimeState.Server> running = actual.serversOf(slot.name());
            boolean check = slot.options().healthCheckPath() != null;
            for (ServerSpec s : slot.servers()) {
                RuntimeState.Server now = running.get(s.name());
                if (now == null) {
                    add.add(new AddServer(slot.name(), s.name(), s.address(), s.port(), check, checkIntervalMillis));
                    if (check) {
                        add.add(RuntimeCommand.enableHealth(slot.name(), s.name()));
                    }
                    add.add(RuntimeCommand.enableServer(slot.name(), s.name()));
                    slots.add(slot.name());
                    continue;
                }
                if (!now.address().equals(s.address()) || now.port() != s.port()) {
                    change.add(new SetServerAddress(slot.name(), s.name(), s.address(), s.port()));
                    slots.add(slot.name());
                }
                if (!now.ready()) {
                    change.add(RuntimeCommand.enableServer(slot.name(), s.name()));
                    slots.add(slot.name());
                }
            }
            Set<String> wanted = new TreeSet<>();
            slot.servers().forEach(s -> wanted.add(s.name()));
            for (RuntimeState.Server now : running.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
                if (!wanted.contains(now.name())) {
                    if (now.ready()) {
                        remove.add(RuntimeCommand.maintenance(slot.name(), now.name()));
                    }
                    retire.add(new ServerRef(slot.name(), now.name()));
                }
            }
        }
        List<HostName> gone = new ArrayList<>();
        for (HostName host : new TreeSet<>(scope)) {
            String now = actual.hostMap().get(host);
            Optional<Route> wanted = desired.route(host);
            if (wanted.isEmpty()) {
                if (now != null) {
                    gone.add(host);
                }
            } else if (now == null) {
                route.add(new MapEntry(true, mapFile, host, wanted.get().target()));
                hosts.add(host);
            } else if (!Objects.equals(now, wanted.get().target())) {
                route.add(new MapEntry(false, mapFile, host, wanted.get().target()));
                hosts.add(host);
            }
        }
        for (HostName h : gone) {
            route.add(new DeleteMapEntry(mapFile, h));
            hosts.add(h);
        }
        List<RuntimeCommand> servers = new ArrayList<>(add);
        servers.addAll(change);
        return new RuntimePlan(servers, route, remove, retire, slots, hosts);
    }
}
