package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Not a @QuarkusTest: the renderer is a plain class and the test simply calls it. */
class HaproxyConfigRendererTest {

    static final String MAP = "/run/bgdeploy-lb/hosts.map";
    private final HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();

    static LbModel sampleModel() {
        AppRef shopApp = new AppRef("default", "shop");
        BackendSpec blue = new BackendSpec("default-shop-1",
                List.of(new ServerSpec("shop-1-a", "10.0.0.1", 8080), new ServerSpec("shop-1-b", "10.0.0.2", 8080)),
                false, List.of(new HttpHeader("X-Backend", "blue")), "/health");
        BackendSpec api = new BackendSpec("default-api-2",
                List.of(new ServerSpec("api-2-a", "10.0.0.3", 8080)), true, List.of(), null);
        FrontendSpec shop = new FrontendSpec(HostName.of("shop.example.com"), true, false,
                List.of(new HttpHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains")),
                true, TlsMode.HTTP_ONLY, null);
        return new LbModel(List.of(new FrontendConfig(shop, "default-shop-1"),
                new FrontendConfig(FrontendSpec.http("api.example.com"), "default-api-2")),
                List.of(new BackendConfig(blue, shopApp), new BackendConfig(api, new AppRef("default", "api"))));
    }

    static ProxyLayout sampleLayout() {
        return LayoutPlanner.plan(sampleModel(), List.of(), true);
    }

    @Test
    void routesEveryHostThroughTheHostsMapToASlotOfItsApp() {
        String cfg = renderer.render(sampleLayout(), HaproxySettings.localDefaults(), MAP);

        assertThat(cfg).contains("    bind 127.0.0.1:8000\n")
                .contains("frontend stats\n    bind 127.0.0.1:8404\n")
                .contains("    use_backend %[var(txn.host),map_str(/run/bgdeploy-lb/hosts.map,no_route)]\n")
                .contains("backend be_default.shop.1\n    # serves default-shop-1\n")
                .contains("backend be_default.shop.2\n    balance roundrobin\n")
                .contains("backend be_default.api.1\n    # serves default-api-2\n")
                .contains("    server shop-1-a 10.0.0.1:8080 check\n")
                .contains("    server api-2-a 10.0.0.3:8080\n")
                .contains("    http-check send meth GET uri /health\n")
                .contains("backend unavailable\n    http-request deny deny_status 503\n")
                .contains("    master-worker\n")
                .contains("    option idle-close-on-response\n");
        assertThat(renderer.renderMap(sampleLayout())).endsWith("api.example.com be_default.api.1\nshop.example.com be_default.shop.1\n");
    }

    @Test
    void checksEveryServerAtTheAgentsInterval() {
        HaproxySettings every10s = new HaproxySettings("127.0.0.1", 8000, 8443, "127.0.0.1", 8404, null, 30, 4000,
                "bgdeploy-local", 10_000);

        assertThat(renderer.render(sampleLayout(), HaproxySettings.localDefaults(), MAP))
                .contains("    default-server inter 2000ms fall 3 rise 2\n");
        assertThat(renderer.render(sampleLayout(), every10s, MAP)).contains("    default-server inter 10000ms fall 3 rise 2\n");
        assertThatThrownBy(() -> new HaproxySettings("127.0.0.1", 8000, 8443, "127.0.0.1", 8404, null, 30, 4000,
                "bgdeploy-local", 50)).hasMessageContaining("100 ms to 1 h");
    }

    @Test
    void rendersPerHostOptions() {
        String cfg = renderer.render(sampleLayout(), HaproxySettings.localDefaults(), MAP);

        assertThat(cfg)
                .contains("    http-request redirect prefix http://shop.example.com code 301 if { var(txn.host) -m str www.shop.example.com }\n")
                .contains("    http-response set-header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" if { var(txn.host) -m str shop.example.com }\n")
                .contains("    cookie BGDEPLOY_SERVER insert indirect nocache httponly dynamic\n    dynamic-cookie-key bgdeploy-local\n")
                .contains("    compression algo gzip\n")
                .contains("    http-response set-header X-Backend \"blue\"\n");
        assertThat(cfg).doesNotContain("ssl");
    }

    @Test
    void httpsOnlyBindsTlsAndRedirectsPlainHttp() {
        FrontendSpec secure = new FrontendSpec(HostName.of("secure.example.com"), true, false, List.of(), false,
                TlsMode.HTTPS_ONLY, "/etc/haproxy/certs/secure.pem");
        FrontendSpec both = new FrontendSpec(HostName.of("both.example.com"), true, false, List.of(), false,
                TlsMode.BOTH, "/etc/haproxy/certs/both.pem");
        LbModel model = new LbModel(List.of(new FrontendConfig(secure, "default-a-1"), new FrontendConfig(both, "default-a-1")),
                List.of(new BackendConfig(new BackendSpec("default-a-1", List.of(), false, List.of(), null), null)));

        String cfg = renderer.render(LayoutPlanner.plan(model, List.of(), true), HaproxySettings.localDefaults(), MAP);

        assertThat(cfg)
                .contains("    bind 127.0.0.1:8443 ssl crt /etc/haproxy/certs/both.pem crt /etc/haproxy/certs/secure.pem\n")
                .contains("    http-request redirect scheme https code 301 if !{ ssl_fc } { var(txn.host) -m str secure.example.com }\n")
                .contains("    http-request redirect prefix https://secure.example.com code 301 if { var(txn.host) -m str www.secure.example.com }\n")
                .contains("    http-request redirect prefix http://both.example.com code 301 if !{ ssl_fc } { var(txn.host) -m str www.both.example.com }\n");
    }

    @Test
    void theSectionsAndTheirBackendsAreReadBackFromTheFile() {
        String cfg = renderer.render(sampleLayout(), HaproxySettings.localDefaults(), MAP);

        assertThat(HaproxyConfigRenderer.sections(cfg)).containsEntry("be_default.shop.1", "default-shop-1")
                .containsEntry("be_default.shop.2", null).containsEntry("be_default.api.1", "default-api-2")
                .containsEntry("no_route", null);
        assertThat(HaproxyConfigRenderer.structure(cfg)).doesNotContain("    server ", "# serves");
    }

    @Test
    void sameModelRendersToTheSameText() {
        LbModel model = sampleModel();
        List<FrontendConfig> frontends = new java.util.ArrayList<>(model.frontends());
        List<BackendConfig> backends = new java.util.ArrayList<>(model.backends());
        java.util.Collections.reverse(frontends);
        java.util.Collections.reverse(backends);
        ProxyLayout reversed = LayoutPlanner.plan(new LbModel(frontends, backends), List.of(), true);

        assertThat(renderer.render(reversed, HaproxySettings.localDefaults(), MAP))
                .isEqualTo(renderer.render(sampleLayout(), HaproxySettings.localDefaults(), MAP));
    }
}
