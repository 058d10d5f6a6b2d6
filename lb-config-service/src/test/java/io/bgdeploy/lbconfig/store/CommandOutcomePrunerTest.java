package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import io.bgdeploy.lbconfig.model.OutcomeRetention;
import io.bgdeploy.lbconfig.testing.OwnEtcd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static io.bgdeploy.lb.etcd.EtcdAccess.prefix;
import static org.assertj.core.api.Assertions.assertThat;

/** On an etcd of its own: a pass with a clock days ahead would forget other tests' outcomes. */
class CommandOutcomePrunerTest {

    private static final Duration KEEP = Duration.ofDays(8);
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private OwnEtcd own;
    private EtcdAccess etcd;

    @BeforeEach
    void startEtcd() {
        own = OwnEtcd.start("outcome-pruner");
        etcd = own.access();
    }

    @AfterEach
    void stopEtcd() {
        own.close();
    }

    @Test
    void aPassForgetsOnlyTheOutcomesTheRetentionNoLongerKeepsOverSeveralPages() {
        Instant old = NOW.minus(KEEP).minus(OutcomeRetention.CLOCK_MARGIN).minusSeconds(1);
        int oldOnes = CommandOutcomePruner.PAGE * 2 + 17;
        for (int i = 0; i < oldOnes; i++) {
            outcome(String.format("d-%04d.switch-frontend", i * 2), old);
        }
        for (int i = 0; i < 30; i++) {
            // between old ones in key order, so every page holds some to keep
            outcome(String.format("d-%04d.remove-blue-backend", i * 2 + 1), NOW.minus(KEEP));
        }
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.command("not-json")), bytes("{")));
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.command("no-time")),
                json(new CommandOutcome("no-time", Outcome.APPLIED, 3, null, true, null))));
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.GENERATION), bytes("beside the outcomes")));
        CommandOutcomePruner pruner = new CommandOutcomePruner(etcd, new OutcomeRetention(KEEP), Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(pruner.prune()).isEqualTo(oldOnes);

        List<String> left = etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.COMMANDS), prefix())).getKvs().stream()
                .map(kv -> EtcdAccess.string(kv.getKey()).substring(EtcdLayout.COMMANDS.length())).toList();
        assertThat(left).hasSize(32).contains("not-json", "no-time").allMatch(k -> !k.endsWith(".switch-frontend"));
        assertThat(etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.GENERATION))).getCount()).isEqualTo(1);
        assertThat(pruner.prune()).as("nothing left to forget").isZero();
    }

    @Test
    void anOutcomeWithoutATimeIsGivenTheTimeOfThePassThatFindsItAndForgottenOneRetentionLater() {
        // as an older version wrote it: no time
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.command("no-time")),
                json(new CommandOutcome("no-time", Outcome.APPLIED, 3, null, true, null))));
        Instant later = NOW.plus(KEEP).plus(OutcomeRetention.CLOCK_MARGIN).plusSeconds(1);

        assertThat(new CommandOutcomePruner(etcd, new OutcomeRetention(KEEP), Clock.fixed(NOW, ZoneOffset.UTC)).prune())
                .isZero();
        assertThat(stored("no-time")).isEqualTo(new CommandOutcome("no-time", Outcome.APPLIED, 3, null, true, NOW));
        assertThat(new CommandOutcomePruner(etcd, new OutcomeRetention(KEEP), Clock.fixed(later.minusSeconds(2), ZoneOffset.UTC))
                .prune()).as("kept until one retention after the stamp").isZero();
        assertThat(stored("no-time").at()).as("stamped once").isEqualTo(NOW);

        assertThat(new CommandOutcomePruner(etcd, new OutcomeRetention(KEEP), Clock.fixed(later, ZoneOffset.UTC)).prune())
                .isEqualTo(1);
        assertThat(etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.COMMANDS), prefix())).getCount()).isZero();
    }

    private CommandOutcome stored(String commandId) {
        return StoredJson.read(etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.command(commandId))))
                .getKvs().get(0).getValue().getBytes(), CommandOutcome.class);
    }

    @Test
    void aRetentionOfZeroForgetsNothing() {
        outcome("d-1.switch-frontend", Instant.EPOCH);
        CommandOutcomePruner pruner = new CommandOutcomePruner(etcd, new OutcomeRetention(Duration.ZERO), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(pruner.prune()).isZero();
        assertThat(etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.COMMANDS), prefix())).getCount()).isEqualTo(1);
    }

    private void outcome(String commandId, Instant at) {
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.command(commandId)),
                json(new CommandOutcome(commandId, Outcome.APPLIED, 7, null, true, at))));
    }
}
