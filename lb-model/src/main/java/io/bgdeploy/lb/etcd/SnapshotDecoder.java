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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns the keys and values read at one revision into a validated {@link LbModel}. Pure: no etcd
 * client here. An entry that does not validate (written by hand or by another tool) is left out
 * and reported, never rendered. An instance remembers what it parsed, so a reader that decodes the
 * same configuration again and again (the agent, after every change) parses only changed entries.
 */
public final class SnapshotDecoder {

    /** A parsed entry, reused while its bytes stay the same. */
    private record Parsed(byte[] raw, Object value) {
    }

    private final Map<String, Parsed> parsed = new HashMap<>();

    /** Decodes once, remembering nothing. */
    public static Snapshot decode(long revision, Map<String, byte[]> entries) {
        return new SnapshotDecoder().read(revision, entries);
    }

    /** Decodes, parsing only the entries whose bytes changed since the previous call. */
    public Snapshot read(long revision, Map<String, byte[]> entries) {
        parsed.keySet().retainAll(entries.keySet());
        List<String> problems = new ArrayList<>();
        Map<HostName, ReferenceFrontend> frontends = new TreeMap<>();
        Map<HostName, FrontendOptions> frontendOptions = new TreeMap<>();
        Map<String, Map<String, ReferenceServer>> servers = new TreeMap<>();
        Map<String, BackendOptions> backendOptions = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : (entries instanceof SortedMap ? entries : new TreeMap<>(entries)).entrySet()) {
            String key = e.getKey();
            try {
                if (key.startsWith(EtcdLayout.PROXY_FRONTENDS)) {
                    HostName host = HostName.of(key.substring(EtcdLayout.PROXY_FRONTENDS.length()));
                    frontends.put(host, parse(key, e.getValue(), ReferenceFrontend.class));
                } else if (key.startsWith(EtcdLayout.CONFIG_FRONTENDS)) {
                    HostName host = HostName.of(key.substring(EtcdLayout.CONFIG_FRONTENDS.length()));
                    frontendOptions.put(host, parse(key, e.getValue(), FrontendOptions.class));
                } else if (key.startsWith(EtcdLayout.PROXY_BACKENDS)) {
                    String rest = key.substring(EtcdLayout.PROXY_BACKENDS.length());
                    int slash = rest.indexOf('/');
                    if (slash < 0) {
                        throw new IllegalArgumentException("expected " + EtcdLayout.PROXY_BACKENDS + "<backendId>/<server>");
                    }
                    String id = Names.requireBackendId(rest.substring(0, slash));
                    String server = Names.requireServerName(rest.substring(slash + 1));
                    servers.computeIfAbsent(id, k -> new TreeMap<>()).put(server, parse(key, e.getValue(), ReferenceServer.class));
                } else if (key.startsWith(EtcdLayout.CONFIG_BACKENDS)) {
                    String id = Names.requireBackendId(key.substring(EtcdLayout.CONFIG_BACKENDS.length()));
                    backendOptions.put(id, parse(key, e.getValue(), BackendOptions.class));
                }
            } catch (IllegalArgumentException invalid) {
                problems.add("skipped " + Names.printable(key) + ": " + invalid.getMessage());
            }
        }
        List<BackendConfig> backends = new ArrayList<>();
        List<String> ids = new ArrayList<>(servers.keySet());
        backendOptions.keySet().stream().filter(id -> !servers.containsKey(id)).forEach(ids::add);
        for (String id : ids) {
            try {
                BackendOptions options = backendOptions.get(id);
                BackendSpec spec = backend(id, servers.getOrDefault(id, Map.of()), options);
                List<String> unsafe = ConfigSafety.problems(spec);
                if (!unsafe.isEmpty()) {
                    throw new IllegalArgumentException(String.join("; ", unsafe));
                }
                backends.add(new BackendConfig(spec, options == null || options.app() == null ? null
                        : Keys.parseApp(options.app())));
            } catch (IllegalArgumentException invalid) {
                problems.add("skipped backend " + id + ": " + invalid.getMessage());
            }
        }
        List<FrontendConfig> routes = new ArrayList<>();
        for (Map.Entry<HostName, ReferenceFrontend> f : frontends.entrySet()) {
            try {
                FrontendConfig frontend = frontend(f.getKey(), f.getValue(), frontendOptions.get(f.getKey()));
                List<String> unsafe = ConfigSafety.problems(frontend.spec());
                if (!unsafe.isEmpty()) {
                    throw new IllegalArgumentException(String.join("; ", unsafe));
                }
                routes.add(frontend);
            } catch (IllegalArgumentException invalid) {
                problems.add("skipped frontend " + f.getKey() + ": " + invalid.getMessage());
            }
        }
        return new Snapshot(revision, new LbModel(routes, backends), problems);
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
