package io.bgdeploy.lbagent.render;

import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: the renderer is a plain class and the test simply calls it. */
class HaproxyConfigRendererTest {

    private final HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();

    static LbModel sampleModel() {
        BackendSpec blue = new BackendSpec("default-shop-1",
                List.of(new ServerSpec("shop-1-a", "10.0.0.1", 8080), new ServerSpec("shop-1-b", "10.0.0.2", 8080)),
                false, List.of(new HttpHeader("X-Backend", "blue")), "/health");
        BackendSpec green = new BackendSpec("default-shop-2",
                List.of(new ServerSpec("shop-2-a", "10.0.0.3", 8080)), true, List.of(), null);
        FrontendSpec shop = new FrontendSpec("shop.example.com", true, false,
                List.of(new HttpHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains")),
                true, TlsMode.HTTP_ONLY, null);
        FrontendSpec api = FrontendSpec.http("api.example.com");
        return new LbModel(List.of(new FrontendConfig(shop, "default-shop-1"), new FrontendConfig(api, "default-shop-2")),
                List.of(blue, green));
    }

    @Test
    void rendersOneBackendPerIdAndRoutesEachHostToItsBackend() {
        String cfg = renderer.render(sampleModel(), HaproxySettings.localDefaults());

        assertThat(cfg).contains("    bind 127.0.0.1:8000\n")
                .contains("frontend stats\n    bind 127.0.0.1:8404\n")
                .contains("    use_backend be_default-shop-1 if { var(txn.host) -m str shop.example.com }\n")
                .contains("    use_backend be_default-shop-2 if { var(txn.host) -m str api.example.com }\n")
                .contains("backend be_default-shop-1\n")
                .contains("backend be_default-shop-2\n")
                .contains("    server shop-1-a 10.0.0.1:8080 check cookie shop-1-a\n")
                .contains("    server shop-2-a 10.0.0.3:8080\n")
                .contains("    http-check send meth GET uri /health\n")
                .contains("    master-worker\n");
    }

    @Test
    void rendersPerHostOptions() {
        String cfg = renderer.render(sampleModel(), HaproxySettings.localDefaults());

        assertThat(cfg)
                .contains("    http-request redirect prefix http://shop.example.com code 301 if { var(txn.host) -m str www.shop.example.com }\n")
                .contains("    http-response set-header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" if { var(txn.host) -m str shop.example.com }\n")
                .contains("    cookie BGDEPLOY_SERVER insert indirect nocache httponly\n")
                .contains("    compression algo gzip\n")
                .contains("    http-response set-header X-Backend \"blue\"\n");
        assertThat(cfg).doesNotContain("ssl");
    }

    @Test
    void httpsOnlyBindsTlsAndRedirectsPlainHttp() {
        FrontendSpec secure = new FrontendSpec("secure.example.com", true, false, List.of(), false,
                TlsMode.HTTPS_ONLY, "/etc/haproxy/certs/secure.pem");
        FrontendSpec both = new FrontendSpec("both.example.com", true, false, List.of(), false,
                TlsMode.BOTH, "/etc/haproxy/certs/both.pem");
        LbModel model = new LbModel(List.of(new FrontendConfig(secure, "default-a-1"), new FrontendConfig(both, "default-a-1")),
                List.of(new BackendSpec("default-a-1", List.of(), false, List.of(), null)));

        String cfg = renderer.render(model, HaproxySettings.localDefaults());

        assertThat(cfg)
                .contains("    bind 127.0.0.1:8443 ssl crt /etc/haproxy/certs/both.pem crt /etc/haproxy/certs/secure.pem\n")
                .contains("    http-request redirect scheme https code 301 if !{ ssl_fc } { var(txn.host) -m str secure.example.com }\n")
                .contains("    http-request redirect prefix https://secure.example.com code 301 if { var(txn.host) -m str www.secure.example.com }\n")
                .contains("    http-request redirect prefix http://both.example.com code 301 if !{ ssl_fc } { var(txn.host) -m str www.both.example.com }\n");
    }

    @Test
    void aFrontendWhoseBackendIsMissingAnswers503InsteadOfBreakingTheConfig() {
        LbModel model = new LbModel(List.of(new FrontendConfig(FrontendSpec.http("lost.example.com"), "default-gone-1")),
                List.of());

        String cfg = renderer.render(model, HaproxySettings.localDefaults());

        assertThat(cfg).contains("    http-request deny deny_status 503 if { var(txn.host) -m str lost.example.com }\n")
                .doesNotContain("use_backend");
    }

    @Test
    void sameModelRendersToTheSameText() {
        LbModel model = sampleModel();
        List<FrontendConfig> frontends = new java.util.ArrayList<>(model.frontends());
        List<BackendSpec> backends = new java.util.ArrayList<>(model.backends());
        java.util.Collections.reverse(frontends);
        java.util.Collections.reverse(backends);
        LbModel reversed = new LbModel(frontends, backends);

        assertThat(renderer.render(reversed, HaproxySettings.localDefaults()))
                .isEqualTo(renderer.render(model, HaproxySettings.localDefaults()));
    }
}
