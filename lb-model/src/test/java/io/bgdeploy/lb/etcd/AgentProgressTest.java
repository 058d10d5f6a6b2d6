package io.bgdeploy.lb.etcd;

import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** An agent's report names revisions it read, so its own write comes later. */
class AgentProgressTest {

    private static final Instant AT = Instant.parse("2026-12-04T09:00:00Z");

    @Test
    void aReportIsPossibleOnlyAtARevisionAfterEveryRevisionItNames() {
        AgentProgress served = new AgentProgress("a", 40, AT, null, 0);
        assertThat(served.possibleAt(41)).isTrue();
        assertThat(served.possibleAt(40)).as("its own revision").isFalse();
        assertThat(served.possibleAt(12)).as("written before etcd went back to revision 12").isFalse();

        AgentProgress failed = new AgentProgress("a", 40, AT, "haproxy -c failed", 45);
        assertThat(failed.possibleAt(46)).isTrue();
        assertThat(failed.possibleAt(44)).as("the failed revision is later than the write").isFalse();
    }
}
