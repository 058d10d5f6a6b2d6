package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.RestartAlertRaised;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: the window arithmetic is a plain class. */
class RestartTrackerTest {

    private static final PodRef POD = new PodRef("d-1", "shop", "cart", "3", "cart-3-abc");
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void raisesOneAlertWhenRestartsExceedTheLimitWithinTheWindow() {
        RestartTracker t = new RestartTracker(2, Duration.ofMinutes(10));
        assertThat(t.record(POD, 1, "Error", T0).alert()).isEmpty();
        assertThat(t.record(POD, 2, "Error", T0.plusSeconds(60)).alert()).isEmpty();
        Optional<RestartAlertRaised> alert = t.record(POD, 3, "OOMKilled", T0.plusSeconds(120)).alert();
        assertThat(alert).get().satisfies(a -> {
            assertThat(a.restartsInWindow()).isEqualTo(3);
            assertThat(a.threshold()).isEqualTo(2);
            assertThat(a.windowSeconds()).isEqualTo(600);
            assertThat(a.lastReason()).isEqualTo("OOMKilled");
        });
        assertThat(t.record(POD, 4, "OOMKilled", T0.plusSeconds(130)).alert()).as("no alert per restart").isEmpty();
        assertThat(t.record(POD, 5, "OOMKilled", T0.plusSeconds(140)).alert()).isEmpty();
    }

    @Test
    void restartsSpreadWiderThanTheWindowDoNotAlert() {
        RestartTracker t = new RestartTracker(2, Duration.ofMinutes(10));
        for (int i = 1; i <= 10; i++) {
            assertThat(t.record(POD, i, "Error", T0.plus(Duration.ofMinutes(6L * i))).alert()).isEmpty();
        }
    }

    @Test
    void aNewEpisodeAfterTheWindowAlertsAgain() {
        RestartTracker t = new RestartTracker(1, Duration.ofMinutes(5));
        t.record(POD, 1, "Error", T0);
        assertThat(t.record(POD, 2, "Error", T0.plusSeconds(10)).alert()).isPresent();
        assertThat(t.record(POD, 3, "Error", T0.plusSeconds(20)).alert()).isEmpty();
        assertThat(t.record(POD, 4, "Error", T0.plusSeconds(1000)).alert()).isEmpty();
        assertThat(t.record(POD, 5, "Error", T0.plusSeconds(1010)).alert()).isPresent();
    }

    @Test
    void totalsFromAWatchCountTheRestartsInBetweenAndTheBaselineIsHistory() {
        RestartTracker t = new RestartTracker(2, Duration.ofMinutes(10));
        t.baseline(POD, 40);
        RestartTracker.Recorded same = t.record(POD, 40, null, T0);
        assertThat(same.newRestarts()).isZero();
        assertThat(same.alert()).isEmpty();
        RestartTracker.Recorded jump = t.record(POD, 43, "OOMKilled", T0.plusSeconds(5));
        assertThat(jump.newRestarts()).isEqualTo(3);
        assertThat(jump.alert()).get().extracting(RestartAlertRaised::restartsInWindow).isEqualTo(3);
    }

    @Test
    void aReplayedRestartIsNotCountedTwice() {
        RestartTracker t = new RestartTracker(1, Duration.ofMinutes(10));
        t.record(POD, 1, "Error", T0);
        assertThat(t.record(POD, 1, "Error", T0).newRestarts()).isZero();
        assertThat(t.restartsInWindow(POD, T0)).isEqualTo(1);
    }
}
