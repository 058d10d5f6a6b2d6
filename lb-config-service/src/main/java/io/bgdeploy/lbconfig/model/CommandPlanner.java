package io.bgdeploy.lbconfig.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.lb.model.ConfigSafety;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.FrontendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceHeader;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a command does, on the configuration as read at one revision. Pure: the store
 * applies the plan in one transaction that only succeeds if nothing changed since that revision.
 */
public final class CommandPlanner {

    private CommandPlanner() {
    }

    /**
     * @param current     the configuration at the revision of the read
     * @param storedKeys  every key under the watched prefixes at that revision, including entries
     *                    the model left out as invalid (so an upsert also removes those)
     */
    public static CommandPlan plan(LbModel current, Set<String> storedKeys, LbCommand command) {
        if (command instanceof UpsertBackend c) {
            return upsert(storedKeys, c);
        }
        if (command instanceof SwitchFrontend c) {
            return c.backend() == null ? switchFrontend(current, c) : upsertAndSwitch(current, storedKeys, c);
        }
        if (command instanceof RemoveBackend c) {
            return removeBackend(current, storedKeys, c.backendId());
        }
        if (command instanceof RemoveFrontend c) {
            return removeFrontend(current, c);
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getSimpleName());
    }

    private static CommandPlan upsert(Set<String> storedKeys, UpsertBackend command) {
        return upsert(storedKeys, command.backend(), command.namespace(), command.appName());
    }

    private static CommandPlan upsert(Set<String> storedKeys, BackendSpec backend, String namespace, String appName) {
        List<String> unsafe = ConfigSafety.problems(backend);
        if (!unsafe.isEmpty()) {
            return new CommandPlan.Reject(String.join("; ", unsafe));
        }
        Map<String, byte[]> puts = new HashMap<>();
        List<ReferenceHeader> headers = backend.headers().stream().map(h -> new ReferenceHeader(h.name(), h.value())).toList();
        for (ServerSpec s : backend.servers()) {
            puts.put(EtcdLayout.proxyServer(backend.id(), s.name()),
                    StoredJson.write(new ReferenceServer(s.address(), s.port(), backend.compression(), headers)));
        }
        puts.put(EtcdLayout.configBackend(backend.id()),
                StoredJson.write(new BackendOptions(backend.compression(), backend.headers(), backend.healthCheckPath(),
                        Keys.app(namespace, appName))));
        List<String> deletes = new ArrayList<>();
        String prefix = EtcdLayout.proxyBackend(backend.id());
        storedKeys.stream().filter(key -> key.startsWith(prefix) && !puts.containsKey(key)).sorted().forEach(deletes::add);
        return new CommandPlan.Write(puts, deletes, List.of());
    }

    /**
     * The backend the switch carries and the switch itself, in one write: the switch is decided as
     * if the upsert were applied, and neither is written when either is refused.
     */
    private static CommandPlan upsertAndSwitch(LbModel current, Set<String> storedKeys, SwitchFrontend c) {
        CommandPlan upsert = upsert(storedKeys, c.backend(), c.namespace(), c.appName());
        if (!(upsert instanceof CommandPlan.Write backend)) {
            return upsert;
        }
        CommandPlan switched = switchFrontend(current, c);
        if (!(switched instanceof CommandPlan.Write frontend)) {
            return switched;
        }
        Map<String, byte[]> puts = new HashMap<>(backend.puts());
        puts.putAll(frontend.puts());
        return new CommandPlan.Write(puts, backend.deletes(), List.of());
    }

    private static CommandPlan switchFrontend(LbModel current, SwitchFrontend c) {
        FrontendSpec f = c.frontend();
        List<String> unsafe = ConfigSafety.problems(f);
        if (!unsafe.isEmpty()) {
            return new CommandPlan.Reject(String.join("; ", unsafe));
        }
        if (c.backend() == null && current.backend(c.backendId()).isEmpty()) {
            return new CommandPlan.Reject("backend " + c.backendId() + " does not exist: upsert it before switching "
                    + f.host() + " to it");
        }
        Optional<FrontendConfig> existing = current.frontend(f.host());
        if (c.expectedBackendId() == null && existing.isPresent()) {
            return new CommandPlan.Reject("frontend " + f.host() + " already exists and routes to "
                    + existing.get().backendId() + ": a switch must name it as expectedBackendId");
        }
        if (c.expectedBackendId() != null && existing.isEmpty()) {
            return new CommandPlan.Reject("frontend " + f.host() + " does not exist, expected it to route to "
                    + c.expectedBackendId());
        }
        // routing there already (a switch sent again by a deployer that continues a deployment): confirmed again
        if (c.expectedBackendId() != null && !existing.get().backendId().equals(c.expectedBackendId())
                && !existing.get().backendId().equals(c.backendId())) {
            return new CommandPlan.Reject("stale switch: frontend " + f.host() + " routes to "
                    + existing.get().backendId() + ", not to the expected " + c.expectedBackendId());
        }
        List<HttpHeader> headers = f.headers();
        return new CommandPlan.Write(Map.of(
                EtcdLayout.proxyFrontend(f.host()),
                StoredJson.write(new ReferenceFrontend(f.host().value(), "http",
                        c.backendId(), f.redirectWww())),
                EtcdLayout.configFrontend(f.host()),
                StoredJson.write(new FrontendOptions(f.compression(), headers, f.stickySessions(), f.tls(),
                        f.certificatePath()))),
                List.of(), List.of());
    }

    private static CommandPlan removeBackend(LbModel current, Set<String> storedKeys, String backendId) {
        List<String> users = current.frontends().stream().filter(f -> f.backendId().equals(backendId))
                .map(f -> f.host().value()).toList();
        if (!users.isEmpty()) {
            return new CommandPlan.Reject("backend " + backendId + " is still in use by frontend(s) "
                    + String.join(", ", users) + ": switch them away first");
        }
        String prefix = EtcdLayout.proxyBackend(backendId);
        String options = EtcdLayout.configBackend(backendId);
        if (storedKeys.stream().noneMatch(key -> key.startsWith(prefix) || key.equals(options))) {
            return new CommandPlan.Write(Map.of(), List.of(), List.of());
        }
        return new CommandPlan.Write(Map.of(), List.of(EtcdLayout.configBackend(backendId)),
                List.of(EtcdLayout.proxyBackend(backendId)));
    }

    private static CommandPlan removeFrontend(LbModel current, RemoveFrontend c) {
        Optional<FrontendConfig> existing = current.frontend(c.host());
        if (existing.isEmpty()) {
            return new CommandPlan.Write(Map.of(), List.of(), List.of());
        }
        if (c.expectedBackendId() != null && !existing.get().backendId().equals(c.expectedBackendId())) {
            return new CommandPlan.Reject("stale removal: frontend " + c.host() + " routes to "
                    + existing.get().backendId() + ", not to the expected " + c.expectedBackendId());
        }
        return new CommandPlan.Write(Map.of(),
                List.of(EtcdLayout.proxyFrontend(c.host()), EtcdLayout.configFrontend(c.host())), List.of());
    }
}
