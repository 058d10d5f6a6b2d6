package io.bgdeploy.lbagent.etcd;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.bgdeploy.lb.model.Snapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

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

    /**
     * etcd brought back from a copy of its data taken earlier (a restore from a backup): its
     * revision is lower than what the mirror has seen, and the changes made after the copy are gone.
     * The watch, which asks for the revision after its last one, would wait for a revision etcd
     * reaches only much later, and a whole read at a lower revision looks older than the copy: the
     * mirror has to notice and take etcd's data as it is now.
     */
    @Test
    void etcdRestoredFromAnEarlierCopyIsTakenAsItIs() {
        Path dir = SharedInfra.workDir("etcd-restored");
        try (EtcdServer etcd = EtcdServer.start(dir);
             LbConfigWriter writer = new LbConfigWriter(etcd.endpoint());
             EtcdAccess access = EtcdAccess.connect(List.of(etcd.endpoint()), Duration.ofSeconds(3));
             EtcdConfigMirror mirror = new EtcdConfigMirror(access, () -> { }, e -> { })) {
            AppRef shop = new AppRef("default", "shop");
            FrontendSpec front = FrontendSpec.http("shop.example.com");
            for (String id : List.of("default-shop-1", "default-shop-2")) {
                writer.upsertBackend(shop, new BackendSpec(id, List.of(new ServerSpec("s1", "10.0.0.1", 8080)),
                        false, List.of(), null));
            }
            long backedUp = writer.switchFrontend(front, "default-shop-1");
            mirror.refresh();

            etcd.backUpTo(dir.resolve("backup"));
            long latest = 0;
            for (int i = 0; i < 10; i++) {
                latest = writer.switchFrontend(front, i % 2 == 0 ? "default-shop-2" : "default-shop-1");
            }
            long seen = latest;
            await().atMost(Duration.ofSeconds(10)).until(() -> mirror.current().revision() >= seen);
            assertThat(backend(mirror.current(), front)).isEqualTo("default-shop-1");
            writer.switchFrontend(front, "default-shop-2");

            etcd.restoreFrom(dir.resolve("backup"));

            // as the agent does once per interval: a whole read when the watch does not answer as it should
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                if (!mirror.watchAnswers(Duration.ofMillis(500))) {
                    mirror.fetchAll();
                }
                Snapshot now = mirror.current();
                assertThat(now.revision()).as("the revision etcd has now").isLessThan(seen);
                assertThat(backend(now, front)).isEqualTo("default-shop-1");
            });
            long after = writer.switchFrontend(front, "default-shop-2");
            assertThat(after).as("etcd's revision after the restore").isLessThan(seen);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(backend(mirror.current(), front)).isEqualTo("default-shop-2"));
        }
    }

    private static String backend(Snapshot snapshot, FrontendSpec front) {
        return snapshot.model().frontend(front.host()).orElseThrow().backendId();
    }
}
