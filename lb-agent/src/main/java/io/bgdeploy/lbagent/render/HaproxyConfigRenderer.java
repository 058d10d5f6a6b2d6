package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.Names;
import io.bgdeploy.lb.model.ConfigSafety;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.quarkus.qute.Engine;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders an {@link LbModel} into a complete {@code haproxy.cfg} with a Qute template, without any
 * framework: a plain class, thread-safe, deterministic (same model, same text).
 *
 * <p>The layout: one public frontend routes by the {@code Host} header (port stripped, lower case)
 * to one HAProxy backend per backend id ({@code be_<id>}); every per-host option is a rule guarded
 * by {@code var(txn.host)}. A frontend's compression and sticky sessions apply to the backend it
 * routes to. A stats listener runs on its own address. The file suits master-worker mode: reloads
 * through the master socket hand the listening sockets over to the new worker.
 *
 * <p>Every value is validated again here with {@link Names} and {@link ConfigSafety}, right
 * before it is written, so a value that slipped past its type can never reach the file: rendering
 * then fails with {@link IllegalArgumentException} instead.
 */
public final class HaproxyConfigRenderer {

    /** Name of the cookie that pins a client to a server when sticky sessions are on. */
    public static final String STICKY_COOKIE = "BGDEPLOY_SERVER";
    /** Prefix of every HAProxy backend rendered for a backend id. */
    public static final String BACKEND_PREFIX = "be_";

    private static final String TEMPLATE = "/io/bgdeploy/lbagent/render/haproxy.cfg.qute";

    private final Template template;

    public HaproxyConfigRenderer() {
        Engine engine = Engine.builder()
                .addDefaults()
                .addValueResolver(new ReflectionValueResolver())
                .build();
        this.template = engine.parse(load());
    }

    /** The HAProxy backend name of a backend id. */
    public static String backendName(String backendId) {
        return BACKEND_PREFIX + Names.requireBackendId(backendId);
    }

    public String render(LbModel model, HaproxySettings settings) {
        List<FrontendView> frontends = new ArrayList<>();
        Set<String> certificates = new TreeSet<>();
        for (FrontendConfig f : model.frontends()) {
            FrontendView view = frontendView(f, model.backend(f.backendId()).isPresent());
            frontends.add(view);
            if (view.tls()) {
                certificates.add(Names.requireSafeFilePath(f.spec().certificatePath()));
            }
        }
        List<BackendView> backends = model.backends().stream().map(b -> backendView(b, model)).toList();
        return template
                .data("settings", settings)
                .data("publicBind", settings.publicBind())
                .data("httpsBind", settings.httpsBind())
                .data("statsBind", settings.statsBind())
                .data("runtimeSocket", settings.runtimeSocket() == null ? null
                        : Names.requireSafeFilePath(settings.runtimeSocket()))
                .data("certificates", List.copyOf(certificates))
                .data("frontends", frontends)
                .data("backends", backends)
                .data("STICKY", STICKY_COOKIE)
                .render();
    }

    private static FrontendView frontendView(FrontendConfig f, boolean backendExists) {
        String host = Names.requireHostName(f.hostname()).toLowerCase(java.util.Locale.ROOT);
        TlsMode tls = f.spec().tls();
        List<HeaderView> headers = f.spec().headers().stream().map(HaproxyConfigRenderer::headerView).toList();
        return new FrontendView(host, backendExists ? backendName(f.backendId()) : null,
                f.spec().redirectWww(), "www." + host, tls != TlsMode.HTTP_ONLY, tls == TlsMode.HTTPS_ONLY, headers);
    }

    private static BackendView backendView(BackendSpec b, LbModel model) {
        boolean compression = b.compression();
        boolean sticky = false;
        for (FrontendConfig f : model.frontends()) {
            if (f.backendId().equals(b.id())) {
                compression |= f.spec().compression();
                sticky |= f.spec().stickySessions();
            }
        }
        List<ServerView> servers = b.servers().stream().map(HaproxyConfigRenderer::serverView).toList();
        List<HeaderView> headers = b.headers().stream().map(HaproxyConfigRenderer::headerView).toList();
        String checkPath = b.healthCheckPath() == null ? null : Names.requireUrlPath(b.healthCheckPath());
        return new BackendView(backendName(b.id()), servers, compression, sticky, checkPath, headers);
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

    /** What the template needs of a frontend; {@code backend} is null when its backend does not exist. */
    public record FrontendView(String host, String backend, boolean redirectWww, String wwwHost, boolean tls,
                               boolean httpsOnly, List<HeaderView> headers) {
    }

    public record BackendView(String name, List<ServerView> servers, boolean compression, boolean sticky,
                              String healthCheckPath, List<HeaderView> headers) {
    }

    public record ServerView(String name, String endpoint) {
    }

    public record HeaderView(String name, String value) {
    }
}
