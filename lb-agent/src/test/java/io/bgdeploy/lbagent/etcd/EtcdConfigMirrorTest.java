package io.bgdeploy.lbagent.etcd;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mirror's watch, against a real etcd: it answers a progress request while etcd does (so the
 * agent needs no whole read that interval), stays silent while etcd is frozen (SIGSTOP: no answer,
 * no closed connection), and answers again once etcd goes on; a change written meanwhile arrives.
 */
class EtcdConfigMirrorTest {

    @Test
    void theWatchAnswersAProgressRequestOnlyWhileEtcdDoes() {
        try (EtcdServer etcd = EtcdServer.start(SharedInfra.workDir("etcd-mirror"));
             LbConfigWriter writer = new LbConfigWriter(etcd.endpoint());
             EtcdAccess access = EtcdAccess.connect(List.of(etcd.endpoint()), Duration.ofSeconds(3));
             EtcdConfigMirror mirror = new EtcdConfigMirror(access, () -> { }, e -> { })) {
            AppRef shop = new AppRef("default", "shop");
            writer.upsertBackend(shop, new BackendSpec("default-shop-1", List.of(new ServerSpec("s1", "10.0.0.1", 8080)),
                    false, List.of(), null));

            assertThat(mirror.watchAnswers(Duration.ofMillis(200))).as("no watch before the first read").isFalse();
            mirror.refresh();
            assertThat(mirror.watchAnswers(Duration.ofSeconds(5))).as("etcd answers").isTrue();

            etcd.process().freeze(true);
            try {
                assertThat(mirror.watchAnswers(Duration.ofSeconds(1))).as("etcd frozen: the watch is silent").isFalse();
            } finally {
                etcd.process().freeze(false);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> mirror.watchAnswers(Duration.ofSeconds(1)));

            long revision = writer.switchFrontend(FrontendSpec.http("shop.example.com"), "default-shop-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> mirror.current().revision() >= revision);
            assertThat(mirror.current().model().frontend(FrontendSpec.http("shop.example.com").host())).isPresent();
        }
    }
}
