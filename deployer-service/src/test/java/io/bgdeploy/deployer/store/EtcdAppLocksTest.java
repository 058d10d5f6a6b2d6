package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.AppLocks;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.testing.SharedInfra;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The app locks against a real etcd, each "instance" with its own client as separate processes would have. */
class EtcdAppLocksTest {

    private static final Duration TTL = Duration.ofSeconds(2);
    private static EtcdServer etcd;
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start(SharedInfra.workDir("etcd-locks"));
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    private EtcdAppLocks instance(String name) {
        Client client = Client.builder().endpoints(etcd.endpoint()).build();
        clients.add(client);
        return new EtcdAppLocks(client, TTL, Duration.ofSeconds(5), name);
    }

    private static String app() {
        return AppLocks.runLock("default/app-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Test
    void oneInstanceAtATimeHoldsALockAndReleasingHandsItOn() {
        EtcdAppLocks a = instance("a");
        EtcdAppLocks b = instance("b");
        String lock = app();

        Optional<AppLocks.Held> held = a.tryLock(lock);
        assertThat(held).isPresent();
        assertThat(held.get().valid()).isTrue();
        assertThat(b.tryLock(lock)).isEmpty();
        assertThat(a.tryLock(lock)).as("not re-entrant: a second run on the same instance waits too").isEmpty();
        assertThat(b.holder(lock)).contains("a");

        held.get().close();

        assertThat(b.tryLock(lock)).isPresent();
        assertThat(a.holder(lock)).contains("b");
    }

    @Test
    void aLockTakenWithAReadSeesTheReadAndAWriteLetsItGoOnlyWhileItIsStillThisInstances() throws Exception {
        EtcdAppLocks a = instance("a");
        EtcdAppLocks b = instance("b");
        Client etcd = clients.get(0);
        String lock = app();
        ByteSequence seen = bytes("/test/" + UUID.randomUUID() + "/seen");
        etcd.getKVClient().put(seen, bytes("before")).get();

        EtcdAppLocks.Taken taken = a.lockReading(lock, Duration.ofSeconds(1), Op.get(seen, GetOption.DEFAULT)).orElseThrow();
        assertThat(taken.reads().get(0).getKvs()).extracting(kv -> kv.getValue().toString(StandardCharsets.UTF_8))
                .containsExactly("before");
        assertThat(b.tryLock(lock)).isEmpty();
        ByteSequence written = bytes("/test/" + UUID.randomUUID() + "/written");
        a.releaseWriting(taken.held(), List.of(Op.put(written, bytes("with the release"), PutOption.DEFAULT)));
        assertThat(etcd.getKVClient().get(written).get().getKvs()).hasSize(1);
        assertThat(a.holder(lock)).as("let go with the write").isEmpty();

        // a's lock passes to b behind a's back (a's lease lost): a's write still lands, b's lock stays
        EtcdAppLocks.Taken again = a.lockReading(lock, Duration.ofSeconds(1)).orElseThrow();
        etcd.getKVClient().delete(bytes(EtcdAppLocks.PREFIX + lock)).get();
        assertThat(b.tryLock(lock)).isPresent();
        ByteSequence late = bytes("/test/" + UUID.randomUUID() + "/late");
        a.releaseWriting(again.held(), List.of(Op.put(late, bytes("after the loss"), PutOption.DEFAULT)));
        again.held().close();
        assertThat(etcd.getKVClient().get(late).get().getKvs()).hasSize(1);
        assertThat(a.holder(lock)).contains("b");
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void theLocksOfAnInstanceThatStopsWithoutReleasingPassOnAfterTheirTimeToLive() throws Exception {
        EtcdAppLocks a = instance("a");
        EtcdAppLocks b = instance("b");
        String lock = app();
        assertThat(a.tryLock(lock)).isPresent();

        clients.get(0).close(); // a dies: no release, no more keep-alives
        assertThat(b.tryLock(lock)).as("still held right after").isEmpty();
        long t0 = System.nanoTime();
        Optional<AppLocks.Held> taken = b.lock(lock, Duration.ofSeconds(15));

        assertThat(taken).isPresent();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(b.holder(lock)).contains("b");
    }

    @Test
    void aCleanStopReleasesEveryLockAtOnce() {
        EtcdAppLocks a = instance("a");
        EtcdAppLocks b = instance("b");
        String one = app();
        String two = app();
        assertThat(a.tryLock(one)).isPresent();
        assertThat(a.tryLock(two)).isPresent();

        a.close();

        assertThat(b.tryLock(one)).isPresent();
        assertThat(b.tryLock(two)).isPresent();
    }

    @Test
    void aLockWhoseLeaseCannotBeRenewedIsNoLongerValidAndANewLeaseServesLaterLocks() {
        EtcdAppLocks a = instance("a");
        String lock = app();
        AppLocks.Held held = a.tryLock(lock).orElseThrow();

        etcd.kill();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !held.valid());
        } finally {
            etcd.restart();
        }

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> a.tryLock(app()).isPresent());
        assertThat(held.valid()).isFalse();
    }

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(Client::close);
    }
}
