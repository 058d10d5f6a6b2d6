package io.bgdeploy.lb.etcd;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.ConfigSafety;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.FrontendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the keys and values read at one revision into a validated {@link LbModel}. Pure: no etcd
 * client here. An entry that does not validate (written by hand or by another tool) is left out
 * and reported, never rendered.
 *
 * <p>An instance remembers what it decoded, so a reader that follows a configuration change by
 * change (the agent) decodes only what a change touched: {@link #update} takes the keys that
 * changed and decodes again only the frontends (by host) and backends (by id) they belong to; the
 * other entries are neither parsed nor validated again. {@link #lastChange()} says which frontends
 * and backends that were.
 */
public final class SnapshotDecoder {

    /** A parsed entry, reused while its bytes stay the same. */
    private record Parsed(byte[] raw, Object value) {
    }

    /**
     * The frontends and backends a decode touched: each of them is now as the model has it (or gone).
     *
     * @param whole the whole configuration was decoded (a first read or a re-read): everything may have changed
     */
    public record Change(Set<HostName> hosts, Set<String> backendIds, boolean whole) {
        public Change {
            hosts = Set.copyOf(hosts);
            backendIds = Set.copyOf(backendIds);
        }
    }

    private final Map<String, Parsed> parsed = new HashMap<>();
    /** Problems of single keys (a key that names nothing valid, a value that does not parse), by key. */
    private final TreeMap<String, String> keyProblems = new TreeMap<>();
    private final TreeMap<String, String> backendProblems = new TreeMap<>();
    private final TreeMap<HostName, String> frontendProblems = new TreeMap<>();
    private LbModel model = LbModel.EMPTY;
    private Change lastChange = new Change(Set.of(), Set.of(), true);

    /** Decodes once, remembering nothing. */
    public static Snapshot decode(long revision, Map<String, byte[]> entries) {
        return new SnapshotDecoder().read(revision, entries);
    }

    /** Decodes everything again, parsing only the entries whose bytes changed since the previous call. */
    public Snapshot read(long revision, Map<String, byte[]> entries) {
        NavigableMap<String, byte[]> sorted = entries instanceof NavigableMap<String, byte[]> n ? n : new TreeMap<>(entries);
        parsed.keySet().retainAll(sorted.keySet());
        keyProblems.clear();
        backendProblems.clear();
        frontendProblems.clear();
        model = LbModel.EMPTY;
        Snapshot snapshot = update(revision, sorted, sorted.keySet());
        lastChange = new Change(lastChange.hosts(), lastChange.backendIds(), true);
        return snapshot;
    }

    /**
     * The configuration after {@code changedKeys} changed (written or deleted) in {@code entries}:
     * only the frontends and backends those keys belong to are decoded again.
     *
     * @param entries     every entry as it is now, including the changed ones
     * @param changedKeys keys written or deleted since the previous call
     */
    public Snapshot update(long revision, NavigableMap<String, byte[]> entries, Collection<String> changedKeys) {
        Set<HostName> hosts = new TreeSet<>();
        Set<String> backendIds = new TreeSet<>();
        for (String key : changedKeys) {
            keyProblems.remove(key);
            if (!entries.containsKey(key)) {
                parsed.remove(key);
            }
            try {
                if (key.startsWith(EtcdLayout.PROXY_FRONTENDS)) {
                    hosts.add(HostName.of(key.substring(EtcdLayout.PROXY_FRONTENDS.length())));
                } else if (key.startsWith(EtcdLayout.CONFIG_FRONTENDS)) {
                    hosts.add(HostName.of(key.substring(EtcdLayout.CONFIG_FRONTENDS.length())));
                } else if (key.startsWith(EtcdLayout.PROXY_BACKENDS)) {
                    String rest = key.substring(EtcdLayout.PROXY_BACKENDS.length());
                    int slash = rest.indexOf('/');
                    if (slash < 0) {
                        throw new IllegalArgumentException("expected " + EtcdLayout.PROXY_BACKENDS + "<backendId>/<server>");
                    }
                    backendIds.add(Names.requireBackendId(rest.substring(0, slash)));
                } else if (key.startsWith(EtcdLayout.CONFIG_BACKENDS)) {
                    backendIds.add(Names.requireBackendId(key.substring(EtcdLayout.CONFIG_BACKENDS.length())));
                }
            } catch (IllegalArgumentException invalid) {
                if (entries.containsKey(key)) {
                    keyProblems.put(key, "skipped " + Names.printable(key) + ": " + invalid.getMessage());
                }
            }
        }
        List<BackendConfig> putBackends = new ArrayList<>();
        List<String> removedBackends = new ArrayList<>();
        for (String id : backendIds) {
            backendProblems.remove(id);
            BackendConfig backend = backend(id, entries);
            if (backend == null) {
                removedBackends.add(id);
            } else {
                putBackends.add(backend);
            }
        }
        List<FrontendConfig> putFrontends = new ArrayList<>();
        List<HostName> removedHosts = new ArrayList<>();
        for (HostName host : hosts) {
            frontendProblems.remove(host);
            FrontendConfig frontend = frontend(host, entries);
            if (frontend == null) {
                removedHosts.add(host);
            } else {
                putFrontends.add(frontend);
            }
        }
        if (!hosts.isEmpty() || !backendIds.isEmpty()) {
            model = model.with(putFrontends, removedHosts, putBackends, removedBackends);
        }
        lastChange = new Change(hosts, backendIds, false);
        List<String> problems = new ArrayList<>(keyProblems.values());
        problems.addAll(backendProblems.values());
        problems.addAll(frontendProblems.values());
        return new Snapshot(revision, model, problems);
    }

    /** What the last {@link #read} or {@link #update} decoded. */
    public Change lastChange() {
        return lastChange;
    }

    /** The backend {@code id} as its entries say, or null when it has none or they do not validate. */
    private BackendConfig backend(String id, NavigableMap<String, byte[]> entries) {
        String serversPrefix = EtcdLayout.PROXY_BACKENDS + id + "/";
        String optionsKey = EtcdLayout.CONFIG_BACKENDS + id;
        Map<String, ReferenceServer> servers = new TreeMap<>();
        boolean exists = false;
        for (Map.Entry<String, byte[]> e : entries.subMap(serversPrefix, true, EtcdLayout.PROXY_BACKENDS + id + "0", false).entrySet()) {
            exists = true;
            try {
                String server = Names.requireServerName(e.getKey().substring(serversPrefix.length()));
                servers.put(server, parse(e.getKey(), e.getValue(), ReferenceServer.class));
                keyProblems.remove(e.getKey());
            } catch (IllegalArgumentException invalid) {
                keyProblems.put(e.getKey(), "skipped " + Names.printable(e.getKey()) + ": " + invalid.getMessage());
            }
        }
        BackendOptions options = null;
        byte[] rawOptions = entries.get(optionsKey);
        if (rawOptions != null) {
            exists = true;
            try {
                options = parse(optionsKey, rawOptions, BackendOptions.class);
            } catch (IllegalArgumentException invalid) {
                keyProblems.put(optionsKey, "skipped " + Names.printable(optionsKey) + ": " + invalid.getMessage());
            }
        }
        if (!exists || servers.isEmpty() && options == null) {
            return null;
        }
        try {
            BackendSpec spec = backend(id, servers, options);
            List<String> unsafe = ConfigSafety.problems(spec);
            if (!unsafe.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", unsafe));
            }
            return new BackendConfig(spec, options == null || options.app() == null ? null : Keys.parseApp(options.app()));
        } catch (IllegalArgumentException invalid) {
            backendProblems.put(id, "skipped backend " + id + ": " + invalid.getMessage());
            return null;
        }
    }

    /** The frontend of {@code host} as its entries say, or null when it has none or they do not validate. */
    private FrontendConfig frontend(HostName host, NavigableMap<String, byte[]> entries) {
        String referenceKey = EtcdLayout.proxyFrontend(host);
        String optionsKey = EtcdLayout.configFrontend(host);
        FrontendOptions options = null;
        byte[] rawOptions = entries.get(optionsKey);
        if (rawOptions != null) {
            try {
                options = parse(optionsKey, rawOptions, FrontendOptions.class);
            } catch (IllegalArgumentException invalid) {
                keyProblems.put(optionsKey, "skipped " + Names.printable(optionsKey) + ": " + invalid.getMessage());
            }
        }
        byte[] rawReference = entries.get(referenceKey);
        if (rawReference == null) {
            return null;
        }
        ReferenceFrontend reference;
        try {
            reference = parse(referenceKey, rawReference, ReferenceFrontend.class);
        } catch (IllegalArgumentException invalid) {
            keyProblems.put(referenceKey, "skipped " + Names.printable(referenceKey) + ": " + invalid.getMessage());
            return null;
        }
        try {
            FrontendConfig frontend = frontend(host, reference, options);
            List<String> unsafe = ConfigSafety.problems(frontend.spec());
            if (!unsafe.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", unsafe));
            }
            return frontend;
        } catch (IllegalArgumentException invalid) {
            frontendProblems.put(host, "skipped frontend " + host + ": " + invalid.getMessage());
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T parse(String key, byte[] raw, Class<T> type) {
        Parsed known = parsed.get(key);
        if (known != null && (known.raw() == raw || Arrays.equals(known.raw(), raw)) && type.isInstance(known.value())) {
            return (T) known.value();
        }
        T value = StoredJson.read(raw, type);
        parsed.put(key, new Parsed(raw, value));
        return value;
    }

    private static BackendSpec backend(String id, Map<String, ReferenceServer> servers, BackendOptions options) {
        List<ServerSpec> specs = new ArrayList<>();
        boolean compression = options != null && options.compression();
        List<HttpHeader> headers = options != null && options.headers() != null ? options.headers() : null;
        for (Map.Entry<String, ReferenceServer> s : servers.entrySet()) {
            ReferenceServer server = s.getValue();
            specs.add(new ServerSpec(s.getKey(), server.ipAddress(), server.port()));
            if (options == null) {
                compression |= server.compressionEnabled();
                if (headers == null && server.additionHttpHeaders() != null) {
                    headers = server.additionHttpHeaders().stream().map(h -> new HttpHeader(h.header(), h.value())).toList();
                }
            }
        }
        return new BackendSpec(id, specs, compression, headers, options == null ? null : options.healthCheckPath());
    }

    private static FrontendConfig frontend(HostName host, ReferenceFrontend ref, FrontendOptions options) {
        if (ref.type() != null && !"http".equalsIgnoreCase(ref.type())) {
            throw new IllegalArgumentException("Type '" + Names.printable(ref.type()) + "' is not supported: only http");
        }
        FrontendSpec spec = options == null
                ? new FrontendSpec(host, ref.redirectWwwPrefix(), false, List.of(), false, TlsMode.HTTP_ONLY, null)
                : new FrontendSpec(host, ref.redirectWwwPrefix(), options.compression(), options.headers(),
                options.stickySessions(), options.tls(), options.certificatePath());
        return new FrontendConfig(spec, Names.requireBackendId(ref.backendId()));
    }
}
