package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.bgdeploy.lbconfig.testing.OwnEtcd;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two instances' compactors on an etcd of their own (a compaction would end other tests' watches). */
class EtcdCompactorTest {

    private static final ByteSequence KEY = bytes(EtcdLayout.APPLIED + "agent-a");

    private OwnEtcd own;
    private EtcdAccess etcd;

    @BeforeEach
    void startEtcd() {
        own = OwnEtcd.start("etcd-compactor");
        etcd = own.access();
    }

    @AfterEach
    void stopEtcd() {
        own.close();
    }

    @Test
    void oneInstanceCompactsPerRoundUpToWhatItSawARoundBefore() {
        EtcdCompactor a = new EtcdCompactor(etcd);
        EtcdCompactor b = new EtcdCompactor(etcd);
        long first = put("1");

        assertThat(a.round()).as("a's first round: nothing seen before").isEqualTo(new EtcdCompactor.Round(true, 0));
        assertThat(b.round()).as("b's first round: a had it").isEqualTo(new EtcdCompactor.Round(false, 0));
        long seenByA = first + 1; // a's round wrote the compaction key right after the first put
        put("2");
        long last = put("3");

        EtcdCompactor.Round second = a.round();
        assertThat(b.round().won()).as("b's second round: a had it again").isFalse();

        assertThat(second).isEqualTo(new EtcdCompactor.Round(true, seenByA));
        assertThatThrownBy(() -> valueAt(first)).as("the history before a's first round is gone")
                .isInstanceOf(EtcdUnavailableException.class).hasMessageContaining("compacted");
        assertThat(valueAt(seenByA)).as("what a saw a round ago is kept").isEqualTo("1");
        assertThat(valueAt(last - 1)).isEqualTo("2");
        assertThat(string(etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.COMPACTION))).getKvs().get(0).getValue()))
                .isEqualTo(String.valueOf(seenByA));

        // b knows the key's version now and wins the next round, compacting up to what it saw in its last
        assertThat(b.round().won()).isTrue();
        assertThat(a.round().won()).isFalse();
    }

    @Test
    void aHistoryEtcdCompactedFurtherAlreadyIsNoFailure() {
        EtcdCompactor a = new EtcdCompactor(etcd);
        put("1");
        a.round();
        long last = put("2");
        etcd.await(etcd.client().getKVClient().compact(last, CompactOption.DEFAULT));

        assertThat(a.round().won()).isTrue();
        assertThat(valueAt(last)).isEqualTo("2");
    }

    @Test
    void aNegativeIntervalIsRefused() {
        try (EtcdCompactor a = new EtcdCompactor(etcd)) {
            assertThatThrownBy(() -> a.start(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lbconfig.etcd-compaction-interval");
        }
    }

    private long put(String value) {
        return etcd.await(etcd.client().getKVClient().put(KEY, bytes(value))).getHeader().getRevision();
    }

    private String valueAt(long revision) {
        return string(etcd.await(etcd.client().getKVClient().get(KEY, GetOption.builder().withRevision(revision).build()))
                .getKvs().get(0).getValue());
    }
}
