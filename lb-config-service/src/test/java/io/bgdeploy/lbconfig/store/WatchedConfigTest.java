package io.bgdeploy.lbconfig.store;

import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The watched view on an etcd of its own, which it meets first while etcd is not running. */
class WatchedConfigTest {

    @Test
    void aViewStartedWhileEtcdIsDownIsReadOnceEtcdAnswersAndThenFollowsItsWrites() {
        int clientPort = FreePorts.next();
        EtcdAccess etcd = EtcdAccess.connect(List.of("http://127.0.0.1:" + clientPort), Duration.ofSeconds(1));
        try (WatchedConfig view = new WatchedConfig(etcd, Duration.ofMillis(20))) {
            assertThat(view.read(List.of(), List.of(EtcdLayout.PROXY), 0)).as("no view while etcd is down").isEmpty();

            try (EtcdServer server = EtcdServer.start(SharedInfra.workDir("watched-config"), clientPort, FreePorts.next())) {
                await().atMost(Duration.ofSeconds(60)).until(view::ready);
                String frontend = EtcdLayout.PROXY_FRONTENDS + "a.example.com";
                long revision = etcd.await(etcd.client().getKVClient().txn().Then(
                        Op.put(bytes(frontend), bytes("{}"), PutOption.DEFAULT),
                        Op.put(bytes(EtcdLayout.GENERATION), bytes("c-1"), PutOption.DEFAULT)).commit()).getHeader().getRevision();

                var seen = view.read(List.of(), List.of(EtcdLayout.PROXY), revision).orElseThrow();

                assertThat(seen.generationModRevision()).isEqualTo(revision);
                assertThat(seen.entries()).containsOnlyKeys(frontend);
                assertThat(new String(seen.entries().get(frontend), StandardCharsets.UTF_8)).isEqualTo("{}");
            }
        } finally {
            etcd.close();
        }
    }
}
