package io.bgdeploy.lb.etcd;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule by which a whole read and a watch take the agents' entries. */
class AgentEntriesTest {

    private static final Instant AT = Instant.parse("2026-12-05T21:00:00Z");

    @Test
    void eachEntryIsTakenAsWhatItsKeySaysAndADeletionRemovesIt() {
        AgentEntries entries = new AgentEntries();
        assertThat(entries.take(EtcdLayout.expected("a"), StoredJson.write(new ExpectedAgent("a", "lb-1", AT)), 5)).isEmpty();
        assertThat(entries.take(EtcdLayout.agent("a"), StoredJson.write(new AgentRegistration("a", "lb-1", AT)), 6)).isEmpty();
        assertThat(entries.take(EtcdLayout.applied("a"), StoredJson.write(new AgentProgress("a", 6, AT, null, 0)), 7)).isEmpty();
        assertThat(entries.take(EtcdLayout.CONFIG + "generation", utf8("{}"), 8)).as("no agent's key").isEmpty();

        AgentStates states = entries.states(8, List.of());
        assertThat(states.expected()).containsOnlyKeys("a");
        assertThat(states.agents()).containsOnlyKeys("a");
        assertThat(states.progress().get("a").revision()).isEqualTo(6);

        assertThat(entries.take(EtcdLayout.agent("a"), null, 9)).isEmpty();
        assertThat(entries.states(9, List.of()).agents()).as("the lease ended").isEmpty();
        assertThat(entries.states(9, List.of()).expected()).as("still expected").containsOnlyKeys("a");
    }

    @Test
    void anUnreadableEntryIsLeftOutWithItsKeyAndReplacesTheReadableOneBeforeIt() {
        AgentEntries entries = new AgentEntries();
        entries.take(EtcdLayout.agent("a"), StoredJson.write(new AgentRegistration("a", "lb-1", AT)), 5);

        assertThat(entries.take(EtcdLayout.agent("a"), utf8("{not json"), 6)).hasValueSatisfying(why ->
                assertThat(why).startsWith(EtcdLayout.agent("a") + ": not a valid AgentRegistration"));
        assertThat(entries.take(EtcdLayout.applied("b"), utf8("null"), 7)).hasValueSatisfying(why ->
                assertThat(why).contains(EtcdLayout.applied("b")).contains("null"));
        assertThat(entries.states(7, List.of()).agents()).isEmpty();
        assertThat(entries.states(7, List.of()).progress()).isEmpty();
    }

    @Test
    void aReportNamingItsOwnWritesRevisionOrALaterOneIsLeftOutAndReplacesTheOneBeforeIt() {
        AgentEntries entries = new AgentEntries(new AgentStates(30, Map.of(), Map.of("a", new AgentProgress("a", 25, AT, null, 0)),
                Map.of()));

        // written before etcd was restored to an earlier revision: it names revision 40 in a write at 12
        assertThat(entries.take(EtcdLayout.applied("a"), StoredJson.write(new AgentProgress("a", 40, AT, null, 0)), 12))
                .hasValueSatisfying(why -> assertThat(why).contains(EtcdLayout.applied("a")).contains("revision 40")
                        .contains("revision 12").contains("went back in time"));
        assertThat(entries.states(12, List.of()).progress()).isEmpty();

        assertThat(entries.take(EtcdLayout.applied("a"), StoredJson.write(new AgentProgress("a", 11, AT, null, 0)), 13)).isEmpty();
        assertThat(entries.states(13, List.of()).progress().get("a").revision()).isEqualTo(11);
    }

    @Test
    void theStatesListTheAgentsInTheOrderOfTheirIdsWithTheProblemsGiven() {
        AgentEntries entries = new AgentEntries();
        for (String id : List.of("c", "a", "b")) {
            entries.take(EtcdLayout.agent(id), StoredJson.write(new AgentRegistration(id, "lb", AT)), 5);
        }
        AgentStates states = entries.states(5, List.of("x: unreadable"));
        assertThat(states.agents().keySet()).containsExactly("a", "b", "c");
        assertThat(states.problems()).containsExactly("x: unreadable");
        assertThat(states.revision()).isEqualTo(5);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
