package io.bgdeploy.lbconfig.model;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When the background read of the agents replaces what their watch holds. */
class AgentStatesCheckTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    /** Agent a registered and expected, serving {@code served}, as seen at {@code revision}. */
    private static AgentStates states(long revision, long served) {
        return new AgentStates(revision, Map.of("a", new AgentRegistration("a", "host", NOW)),
                Map.of("a", new AgentProgress("a", served, NOW, null, 0)), Map.of("a", new ExpectedAgent("a", "host", NOW)));
    }

    @Test
    void aWatchThatHoldsWhatTheReadFoundIsKept() {
        assertThat(AgentStatesCheck.watchMissedSomething(40, states(40, 38), states(40, 38))).isFalse();
    }

    @Test
    void aWatchThatHoldsWhatTheReadFoundIsKeptWhileEtcdMovedOnElsewhere() {
        // the configuration's writes raise etcd's revision without touching the agents' keys
        assertThat(AgentStatesCheck.watchMissedSomething(40, states(40, 38), states(55, 38))).isFalse();
    }

    @Test
    void aWatchThatDeliveredWhatWasWrittenAfterTheReadIsKept() {
        assertThat(AgentStatesCheck.watchMissedSomething(40, states(57, 56), states(55, 54))).isFalse();
    }

    @Test
    void aWatchThatLacksAReportTheReadFoundMissedIt() {
        assertThat(AgentStatesCheck.watchMissedSomething(40, states(40, 38), states(55, 54))).isTrue();
    }

    @Test
    void aWatchThatLacksAnAgentTheReadFoundMissedIt() {
        AgentStates watched = new AgentStates(40, Map.of(), Map.of(), Map.of());

        assertThat(AgentStatesCheck.watchMissedSomething(40, watched, states(40, 38))).isTrue();
    }

    @Test
    void aReadOlderThanWhatTheWatchHadWhenItWasSentMeansEtcdWentBackInTime() {
        // restored from a backup: the watch's state was written before the restore
        assertThat(AgentStatesCheck.watchMissedSomething(90, states(90, 88), states(60, 58))).isTrue();
    }
}
