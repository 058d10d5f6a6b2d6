package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shape the renderer can produce is accepted by the real {@code haproxy -c}. */
class RenderedConfigIsValidTest {

    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @Test
    void everyOptionRendersAConfigHaproxyAccepts(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("site.pem");
        Files.writeString(cert, TestCertificates.SELF_SIGNED_PEM);
        BackendSpec blue = new BackendSpec("default-shop-1",
                List.of(new ServerSpec("a", "10.0.0.1", 8080), new ServerSpec("b.v6", "fd00::1", 8080)),
                true, List.of(new HttpHeader("X-Version", "blue 1")), "/health");
        BackendSpec legacy = new BackendSpec("old-tool-1", List.of(new ServerSpec("x", "10.0.0.9", 80)), false, List.of(), null);
        LbModel model = new LbModel(List.of(
                new FrontendConfig(new FrontendSpec(HostName.of("shop.example.com"), true, true,
                        List.of(new HttpHeader("X-Frame-Options", "DENY")), true, TlsMode.HTTPS_ONLY, cert.toString()),
                        "default-shop-1"),
                new FrontendConfig(new FrontendSpec(HostName.of("both.example.com"), true, false, List.of(), false, TlsMode.BOTH,
                        cert.toString()), "default-shop-1"),
                new FrontendConfig(FrontendSpec.http("plain.example.com"), "default-shop-1"),
                new FrontendConfig(FrontendSpec.http("orphan.example.com"), "default-gone-1")),
                List.of(new BackendConfig(blue, new AppRef("default", "shop")), new BackendConfig(legacy, null)));
        HaproxySettings settings = new HaproxySettings("127.0.0.1", 18000, 18443, "127.0.0.1", 18404,
                dir.resolve("runtime.sock").toString(), 30, 1000, "sticky-secret-1");
        Path file = writeWithMap(dir, model, settings);

        assertThat(new ConfigValidator(HAPROXY).problems(file)).isNull();
    }

    /** Writes the hosts map and the file of a model's layout into {@code dir}; returns the file. */
    static Path writeWithMap(Path dir, LbModel model, HaproxySettings settings) throws java.io.IOException {
        ProxyLayout layout = LayoutPlanner.plan(model, List.of(), true);
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
        Path map = dir.resolve("hosts.map");
        Files.writeString(map, renderer.renderMap(layout));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, renderer.render(layout, settings, map.toString()));
        return file;
    }

    @Test
    void anEmptyConfigurationIsValid(@TempDir Path dir) throws Exception {
        Path file = writeWithMap(dir, LbModel.EMPTY, HaproxySettings.localDefaults());

        assertThat(new ConfigValidator(HAPROXY).problems(file)).isNull();
    }

    @Test
    void aMissingCertificateIsReportedByTheValidator(@TempDir Path dir) throws Exception {
        LbModel model = new LbModel(List.of(new FrontendConfig(new FrontendSpec(HostName.of("shop.example.com"), false, false,
                List.of(), false, TlsMode.BOTH, dir.resolve("absent.pem").toString()), "default-shop-1")), List.of());
        Path file = writeWithMap(dir, model, HaproxySettings.localDefaults());

        assertThat(new ConfigValidator(HAPROXY).problems(file)).contains("absent.pem");
    }
}
