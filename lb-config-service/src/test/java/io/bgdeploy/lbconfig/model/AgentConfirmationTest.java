package io.bgdeploy.lbconfig.model;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import io.bgdeploy.lbconfig.model.AgentConfirmation.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When a revision counts as served by the load balancer. */
class AgentConfirmationTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static AgentRegistration agent(String id) {
        return new AgentRegistration(id, "host", NOW);
    }

    private static ExpectedAgent expected(String id) {
        return new ExpectedAgent(id, "host", NOW);
    }

    private static AgentProgress at(String id, long revision) {
        return new AgentProgress(id, revision, NOW, null, 0);
    }

    @Test
    void everyLiveAgentAtTheRevisionOrLaterConfirmsIt() {
        AgentStates states = new AgentStates(50, Map.of("a", agent("a"), "b", agent("b")), Map.of("a", at("a", 42), "b", at("b", 45)),
                Map.of("a", expected("a"), "b", expected("b")));

        assertThat(AgentConfirmation.judge(states, 42, 1)).isEqualTo(new Verdict.Confirmed(java.util.List.of("a", "b")));
    }

    @Test
    void oneAgentBehindKeepsItWaitingAndSaysWho() {
        AgentStates states = new AgentStates(50, Map.of("a", agent("a"), "b", agent("b")), Map.of("a", at("a", 42), "b", at("b", 41)),
                Map.of());

        assertThat(AgentConfirmation.judge(states, 42, 1)).isEqualTo(new Verdict.Waiting("waiting for b at revision 41"));
    }

    @Test
    void anAgentThatCannotApplyItRefusesItWithItsReason() {
        AgentStates states = new AgentStates(50, Map.of("a", agent("a")),
                Map.of("a", new AgentProgress("a", 40, NOW, "haproxy -c: missing certificate", 42)), Map.of());

        assertThat(AgentConfirmation.judge(states, 42, 1)).isInstanceOfSatisfying(Verdict.Refused.class,
                r -> assertThat(r.reason()).contains("agent a cannot apply revision 42").contains("missing certificate"));
    }

    @Test
    void fewerLiveAgentsThanRequiredIsNoConfirmation() {
        AgentStates states = new AgentStates(50, Map.of(), Map.of(), Map.of());

        assertThat(AgentConfirmation.judge(states, 42, 1)).isEqualTo(new Verdict.Waiting("0 live agent(s), 1 required"));
    }

    @Test
    void anExpectedAgentThatIsNotLiveIsWaitedForAndNamedWhateverTheOthersServe() {
        AgentStates states = new AgentStates(50, Map.of("a", agent("a")), Map.of("a", at("a", 45)),
                Map.of("a", expected("a"), "dead", expected("dead")));

        assertThat(AgentConfirmation.judge(states, 42, 1)).isInstanceOfSatisfying(Verdict.Waiting.class,
                w -> assertThat(w.reason()).startsWith("waiting for dead (expected, not live").contains("DELETE /agents/dead"));
    }
}
