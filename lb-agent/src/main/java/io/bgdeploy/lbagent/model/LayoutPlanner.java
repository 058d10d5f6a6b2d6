package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;

import io.bgdeploy.events.HostName;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides the layout of HAProxy for a configuration, given where things are now. Pure.
 *
 * <p>Each app has numbered slots ({@code be_<namespace>.<app>.<n>}) that its versions take in turn.
 * A backend keeps the slot it is in; a new backend of an app takes a free slot of the app, so a new
 * version needs no new section and no reload. Only when an app has no free slot is one added, which
 * is a change of structure. When a reload cannot be avoided anyway, {@code withSpares} adds a free
 * slot to every app that has none, so that its next version goes in without one. A free slot keeps
 * the settings of the app's newest backend: the next version, with the same settings, fits it.
 */
public final class LayoutPlanner {

    /** Versions compare by length first, so that version 10 is newer than version 9. */
    static final Comparator<String> NEWEST_LAST = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    private LayoutPlanner() {
    }

    /**
     * @param model      the configuration to serve
     * @param current    the slots as they are now (their names and occupants); empty at the first start
     * @param withSpares give every app a free slot (at least two slots), for a layout that is reloaded anyway
     */
    public static ProxyLayout plan(LbModel model, List<SlotAssignment> current, boolean withSpares) {
        Map<String, List<FrontendConfig>> frontendsByBackend = new HashMap<>();
        for (FrontendConfig f : model.frontends()) {
            frontendsByBackend.computeIfAbsent(f.backendId(), k -> new ArrayList<>()).add(f);
        }
        Map<String, List<BackendConfig>> apps = new TreeMap<>();
        List<BackendConfig> own = new ArrayList<>();
        for (BackendConfig b : model.backends()) {
            if (b.app() == null) {
                own.add(b);
            } else {
                apps.computeIfAbsent(b.app().key(), k -> new ArrayList<>()).add(b);
            }
        }
        Map<String, List<SlotAssignment>> currentByApp = new HashMap<>();
        for (SlotAssignment a : current) {
            if (a.app() != null) {
                currentByApp.computeIfAbsent(a.app().key(), k -> new ArrayList<>()).add(a);
            }
        }
        List<Slot> slots = new ArrayList<>();
        Map<String, String> slotOfBackend = new HashMap<>();
        for (Map.Entry<String, List<BackendConfig>> app : apps.entrySet()) {
            slots.addAll(appSlots(app.getValue(), currentByApp.getOrDefault(app.getKey(), List.of()), frontendsByBackend,
                    withSpares, slotOfBackend));
        }
        for (BackendConfig b : own) {
            String name = Slot.ownSlotName(b.id());
            slots.add(new Slot(name, null, b.id(), options(b.spec(), List.of(b), frontendsByBackend), b.spec().servers()));
            slotOfBackend.put(b.id(), name);
        }
        slots.sort(Comparator.comparing(Slot::name));
        List<Route> routes = new ArrayList<>();
        for (FrontendConfig f : model.frontends()) {
            routes.add(new Route(f.spec(), slotOfBackend.getOrDefault(f.backendId(), ProxyLayout.UNAVAILABLE)));
        }
        return new ProxyLayout(routes, slots);
    }

    /**
     * The layout for {@code model}, planned anew only for what a change touched: the apps (and
     * backends of their own) of the changed backends and of the backends the changed hosts route to,
     * before and after, and the hosts routed to any of those. Every other slot and route stays as it
     * is in {@code current}, which must have been planned from the model before the change; the
     * result is the layout {@link #plan} gives for {@code model} with the slots of {@code current}.
     *
     * @param current    the layout planned for the configuration before the change
     * @param hosts      hosts whose frontend changed (written, or gone)
     * @param backendIds backends that changed (written, or gone)
     */
    public static LayoutUpdate update(ProxyLayout current, LbModel model, Set<HostName> hosts, Set<String> backendIds) {
        Set<AppRef> apps = new HashSet<>();
        Set<String> own = new TreeSet<>();
        for (String id : backendIds) {
            model.backend(id).ifPresent(b -> affects(b, apps, own));
            current.slot(Slot.ownSlotName(id)).filter(s -> id.equals(s.backendId())).ifPresent(s -> own.add(id));
        }
        for (HostName host : hosts) {
            current.route(host).flatMap(r -> current.slot(r.target())).ifPresent(s -> affects(s, apps, own));
            model.frontend(host).flatMap(f -> model.backend(f.backendId())).ifPresent(b -> affects(b, apps, own));
        }
        for (String id : backendIds) {
            for (String name : current.slotsOf(id)) {
                current.slot(name).ifPresent(slot -> affects(slot, apps, own));
            }
        }
        // the slots as they are, and the backends of the affected apps as the model has them now
        Map<String, Slot> before = new TreeMap<>();
        Map<AppRef, List<SlotAssignment>> assigned = new HashMap<>();
        for (AppRef app : apps) {
            for (Slot s : current.slotsNamed(Slot.PREFIX + app.namespace() + "." + app.appName() + ".")) {
                if (app.equals(s.app())) {
                    before.put(s.name(), s);
                    assigned.computeIfAbsent(app, k -> new ArrayList<>())
                            .add(new SlotAssignment(app, Slot.parse(s.name()).orElseThrow().number(), s.backendId()));
                }
            }
        }
        own.forEach(id -> current.slot(Slot.ownSlotName(id)).ifPresent(s -> before.put(s.name(), s)));
        Map<AppRef, List<BackendConfig>> versions = new HashMap<>();
        Set<String> ids = new HashSet<>(own);
        for (AppRef app : apps) {
            for (String id : model.backendIdsOf(app)) {
                model.backend(id).ifPresent(b -> versions.computeIfAbsent(app, k -> new ArrayList<>()).add(b));
                ids.add(id);
            }
        }
        before.values().forEach(s -> {
            if (s.backendId() != null) {
                ids.add(s.backendId());
            }
        });
        Map<String, List<FrontendConfig>> frontendsByBackend = new HashMap<>();
        Set<HostName> routed = new TreeSet<>(hosts);
        for (String id : ids) {
            for (HostName host : model.hostsRoutedTo(id)) {
                model.frontend(host).ifPresent(f -> frontendsByBackend.computeIfAbsent(id, k -> new ArrayList<>()).add(f));
                routed.add(host);
            }
        }
        for (String name : before.keySet()) {
            routed.addAll(current.hostsRoutedTo(name));
        }
        // plan the affected apps and backends of their own anew
        Map<String, Slot> after = new TreeMap<>();
        Map<String, String> slotOfBackend = new HashMap<>();
        for (Map.Entry<AppRef, List<BackendConfig>> app : versions.entrySet()) {
            appSlots(app.getValue(), assigned.getOrDefault(app.getKey(), List.of()), frontendsByBackend, false, slotOfBackend)
                    .forEach(s -> after.put(s.name(), s));
        }
        for (String id : own) {
            model.backend(id).filter(b -> b.app() == null).ifPresent(b -> {
                Slot s = new Slot(Slot.ownSlotName(id), null, id, options(b.spec(), List.of(b), frontendsByBackend),
                        b.spec().servers());
                after.put(s.name(), s);
                slotOfBackend.put(id, s.name());
            });
        }
        List<Route> routes = new ArrayList<>();
        List<HostName> goneHosts = new ArrayList<>();
        for (HostName host : routed) {
            Optional<FrontendConfig> f = model.frontend(host);
            if (f.isPresent()) {
                routes.add(new Route(f.get().spec(), slotOfBackend.getOrDefault(f.get().backendId(), ProxyLayout.UNAVAILABLE)));
            } else {
                goneHosts.add(host);
            }
        }
        // what changed, and whether only a reload can change it
        boolean structural = false;
        Set<String> touchedSlots = new TreeSet<>(before.keySet());
        touchedSlots.addAll(after.keySet());
        for (String name : touchedSlots) {
            Slot was = before.get(name);
            Slot now = after.get(name);
            structural |= was == null || now == null || !was.structure().equals(now.structure());
        }
        for (Route r : routes) {
            structural |= current.route(r.host()).map(was -> !was.spec().equals(r.spec())).orElse(true);
        }
        for (HostName host : goneHosts) {
            structural |= current.route(host).isPresent();
        }
        ProxyLayout next = current.with(before.keySet(), after.values(), goneHosts, routes);
        return new LayoutUpdate(next, touchedSlots, routed, structural);
    }

    private static void affects(BackendConfig backend, Set<AppRef> apps, Set<String> own) {
        if (backend.app() == null) {
            own.add(backend.id());
        } else {
            apps.add(backend.app());
        }
    }

    private static void affects(Slot slot, Set<AppRef> apps, Set<String> own) {
        if (slot.app() != null) {
            apps.add(slot.app());
        } else if (slot.backendId() != null) {
            own.add(slot.backendId());
        }
    }

    private static List<Slot> appSlots(List<BackendConfig> backends, List<SlotAssignment> current,
                                       Map<String, List<FrontendConfig>> frontendsByBackend, boolean withSpares,
                                       Map<String, String> slotOfBackend) {
        AppRef app = backends.get(0).app();
        Map<String, BackendConfig> byId = new LinkedHashMap<>();
        backends.stream().sorted(Comparator.comparing(BackendConfig::id, NEWEST_LAST)).forEach(b -> byId.put(b.id(), b));
        TreeMap<Integer, String> occupants = new TreeMap<>();
        for (SlotAssignment a : current) {
            occupants.put(a.number(), a.backendId() != null && byId.containsKey(a.backendId())
                    && !occupants.containsValue(a.backendId()) ? a.backendId() : null);
        }
        for (String id : byId.keySet()) {
            if (occupants.containsValue(id)) {
                continue;
            }
            Integer free = occupants.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            occupants.put(free != null ? free : nextNumber(occupants), id);
        }
        if (withSpares) {
            while (occupants.size() < 2 || !occupants.containsValue(null)) {
                occupants.put(nextNumber(occupants), null);
            }
        }
        BackendConfig newest = byId.values().stream().reduce((a, b) -> b).orElseThrow();
        SlotOptions template = options(newest.spec(), backends, frontendsByBackend);
        List<Slot> slots = new ArrayList<>();
        for (Map.Entry<Integer, String> o : occupants.entrySet()) {
            String name = Slot.appSlotName(app, o.getKey());
            if (o.getValue() == null) {
                slots.add(new Slot(name, app, null, template, List.of()));
            } else {
                BackendConfig b = byId.get(o.getValue());
                slots.add(new Slot(name, app, b.id(), options(b.spec(), backends, frontendsByBackend), b.spec().servers()));
                slotOfBackend.put(b.id(), name);
            }
        }
        return slots;
    }

    private static int nextNumber(TreeMap<Integer, String> occupants) {
        return occupants.isEmpty() ? 1 : occupants.lastKey() + 1;
    }

    /**
     * A section's settings: the backend's own, plus compression and sticky sessions when a frontend
     * routing to any version of the app asks for them (HAProxy has both per backend), so that
     * switching between versions changes no setting.
     */
    private static SlotOptions options(BackendSpec backend, List<BackendConfig> versions,
                                       Map<String, List<FrontendConfig>> frontendsByBackend) {
        boolean compression = backend.compression();
        boolean sticky = false;
        for (BackendConfig version : versions) {
            for (FrontendConfig f : frontendsByBackend.getOrDefault(version.id(), List.of())) {
                compression |= f.spec().compression();
                sticky |= f.spec().stickySessions();
            }
        }
        return new SlotOptions(compression, sticky, backend.healthCheckPath(), backend.headers());
    }
}
