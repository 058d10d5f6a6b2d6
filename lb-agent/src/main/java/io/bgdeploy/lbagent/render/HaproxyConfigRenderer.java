package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lb.model.ConfigSafety;
import io.bgdeploy.lbagent.model.HealthCheckInterval;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.model.Route;
import io.bgdeploy.lbagent.model.SectionName;
import io.bgdeploy.lbagent.model.Slot;
import io.bgdeploy.lbagent.render.FileDescriptorBudget.ConnectionLimit;
import io.quarkus.qute.Engine;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link ProxyLayout} into a complete {@code haproxy.cfg} with a Qute template, and its
 * hosts map into the map file, without any framework: a plain class, thread-safe, deterministic
 * (same layout, same text).
 *
 * <p>The layout: one public frontend routes by the {@code Host} header (port stripped, lower case)
 * through the hosts map to a backend section; a host's own rules (redirects, response headers) are
 * guarded by {@code var(txn.host)}. Each section is a slot that the versions of an app take in
 * turn; a comment names the backend in it. A stats listener runs on its own address. The file suits
 * master-worker mode: reloads through the master socket hand the listening sockets over.
 *
 * <p>Host names arrive as {@link HostName}s, which cannot hold anything but a plain lower-case
 * host name. Every other value is validated again here with {@link Names} and {@link ConfigSafety},
 * right before it is written, so a value that slipped past its type can never reach the file:
 * rendering then fails with {@link IllegalArgumentException} instead.
 */
public final class HaproxyConfigRenderer {

    /** Name of the cookie that pins a client to a server when sticky sessions are on. */
    public static final String STICKY_COOKIE = "BGDEPLOY_SERVER";

    private static final String TEMPLATE = "/io/bgdeploy/lbagent/render/haproxy.cfg.qute";
    private static final Pattern SERVES = Pattern.compile("^backend (\\S+)\n    # serves (\\S+)$", Pattern.MULTILINE);
    private static final Pattern SECTION = Pattern.compile("^backend (\\S+)$", Pattern.MULTILINE);

    private final Template template;
    private final FileDescriptorBudget budget;
    private final Consumer<ConnectionLimit> limits;

    /** A renderer for an HAProxy without an open-files limit: {@code maxconn} is always the configured one. */
    public HaproxyConfigRenderer() {
        this(FileDescriptorBudget.unlimited(), limit -> { });
    }

    /**
     * @param budget the open-files limit HAProxy inherits; a configuration whose {@code maxconn} needs
     *               more descriptors is rendered with a lower one that fits
     * @param limits told of the {@code maxconn} of every file rendered
     */
    public HaproxyConfigRenderer(FileDescriptorBudget budget, Consumer<ConnectionLimit> limits) {
        this.budget = budget;
        this.limits = limits;
        Engine engine = Engine.builder()
                .addDefaults()
                .addValueResolver(new ReflectionValueResolver())
                .build();
        this.template = engine.parse(load());
    }

    /** The haproxy.cfg of a layout; hosts are looked up in {@code mapFile}. */
    public String render(ProxyLayout layout, HaproxySettings settings, String mapFile) {
        List<FrontendView> frontends = new ArrayList<>();
        Set<String> certificates = new TreeSet<>();
        for (Route r : layout.routes()) {
            FrontendView view = frontendView(r);
            frontends.add(view);
            if (view.tls()) {
                certificates.add(Names.requireSafeFilePath(r.spec().certificatePath()));
            }
        }
        List<BackendView> backends = layout.slots().stream().map(HaproxyConfigRenderer::backendView).toList();
        ConnectionLimit limit = connectionLimit(settings, !certificates.isEmpty(), backends);
        limits.accept(limit);
        return template
                .data("settings", settings)
                .data("maxConnections", limit.effective())
                .data("publicBind", settings.publicBind())
                .data("httpsBind", settings.httpsBind())
                .data("statsBind", settings.statsBind())
                .data("checkInterval", HealthCheckInterval.requireValid(settings.checkIntervalMillis()))
                .data("runtimeSocket", settings.runtimeSocket() == null ? null
                        : Names.requireSafeFilePath(settings.runtimeSocket()))
                .data("mapFile", Names.requireSafeFilePath(mapFile))
                .data("certificates", List.copyOf(certificates))
                .data("frontends", frontends)
                .data("backends", backends)
                .data("STICKY", STICKY_COOKIE)
                .data("NO_ROUTE", ProxyLayout.NO_ROUTE)
                .data("UNAVAILABLE", ProxyLayout.UNAVAILABLE)
                .render();
    }

    /** Listening sockets: stats, public HTTP, HTTPS when a frontend uses TLS, the Runtime API socket if any. */
    private ConnectionLimit connectionLimit(HaproxySettings settings, boolean https, List<BackendView> backends) {
        int listeners = 2 + (https ? 1 : 0) + (settings.runtimeSocket() == null ? 0 : 1);
        int checked = backends.stream().filter(b -> b.healthCheckPath() != null).mapToInt(b -> b.servers().size()).sum();
        return budget.connectionLimit(settings.maxConnections(), listeners, checked);
    }

    /** The hosts map file: one {@code <host> <section>} line per host. */
    public String renderMap(ProxyLayout layout) {
        StringBuilder out = new StringBuilder(80 + 64 * layout.routes().size());
        try {
            writeMap(layout, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return out.toString();
    }

    /**
     * {@link #renderMap} written line by line to {@code out}: the agent writes the file this way on
     * every switch, because at 5,000 apps the map as one String (and its bytes) was its largest
     * garbage per switch.
     */
    public void writeMap(ProxyLayout layout, Appendable out) throws IOException {
        out.append("# Rendered by lb-agent: host -> backend section. Changed at run time too.\n");
        for (Route r : layout.routes()) {
            out.append(r.host().value()).append(' ').append(section(r.target())).append('\n');
        }
    }

    /** The sections a rendered file has, each with the backend it serves (null when free), in file order. */
    public static Map<String, String> sections(String config) {
        Map<String, String> sections = new java.util.LinkedHashMap<>();
        Matcher all = SECTION.matcher(config);
        while (all.find()) {
            sections.put(all.group(1), null);
        }
        Matcher serves = SERVES.matcher(config);
        while (serves.find()) {
            sections.put(serves.group(1), serves.group(2));
        }
        return sections;
    }

    /** A rendered file without what changes at run time: server lines and the "# serves" comments. */
    public static String structure(String config) {
        StringBuilder out = new StringBuilder();
        for (String line : config.split("\n", -1)) {
            if (!line.startsWith("    server ") && !line.startsWith("    # serves ")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static FrontendView frontendView(Route r) {
        String host = r.host().value();
        TlsMode tls = r.spec().tls();
        List<HeaderView> headers = r.spec().headers().stream().map(HaproxyConfigRenderer::headerView).toList();
        return new FrontendView(host, r.spec().redirectWww(), "www." + host, tls != TlsMode.HTTP_ONLY,
                tls == TlsMode.HTTPS_ONLY, headers);
    }

    private static BackendView backendView(Slot slot) {
        List<ServerView> servers = slot.servers().stream().map(HaproxyConfigRenderer::serverView).toList();
        List<HeaderView> headers = slot.options().headers().stream().map(HaproxyConfigRenderer::headerView).toList();
        String checkPath = slot.options().healthCheckPath() == null ? null : Names.requireUrlPath(slot.options().healthCheckPath());
        return new BackendView(section(slot.name()), slot.backendId() == null ? null : Names.requireBackendId(slot.backendId()),
                servers, slot.options().compression(), slot.options().sticky(), checkPath, headers);
    }

    private static String section(String name) {
        if (!SectionName.isValid(name)) {
            throw new IllegalArgumentException("backend section '" + Names.printable(name) + "' is not valid");
        }
        return name;
    }

    private static ServerView serverView(ServerSpec s) {
        String address = Names.requireIpAddress(s.address());
        String endpoint = address.contains(":") ? "ipv6@[" + address + "]:" + s.port() : address + ":" + s.port();
        Names.requirePort(s.port(), "server port");
        return new ServerView(Names.requireServerName(s.name()), endpoint);
    }

    private static HeaderView headerView(HttpHeader h) {
        return new HeaderView(ConfigSafety.requireSafeHeaderName(Names.requireHeaderName(h.name())),
                Names.requireHeaderValue(h.value()));
    }

    private static String load() {
        try (InputStream in = HaproxyConfigRenderer.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("template " + TEMPLATE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the template needs of a frontend. */
    public record FrontendView(String host, boolean redirectWww, String wwwHost, boolean tls, boolean httpsOnly,
                               List<HeaderView> headers) {
    }

    /** What the template needs of a section; {@code backendId} is null when the slot is free. */
    public record BackendView(String name, String backendId, List<ServerView> servers, boolean compression, boolean sticky,
                              String healthCheckPath, List<HeaderView> headers) {
    }

    public record ServerView(String name, String endpoint) {
    }

    public record HeaderView(String name, String value) {
    }
}
