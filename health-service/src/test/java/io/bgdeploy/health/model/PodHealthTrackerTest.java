package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.ProbeResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: the state machine is a plain class fed with probe results. */
class PodHealthTrackerTest {

    private static ProbeResult ok() {
        return new ProbeResult(Instant.now(), true, 200, 1, null, null);
    }

    private static ProbeResult fail() {
        return new ProbeResult(Instant.now(), false, 503, 1, null, "HTTP status 503 is not 2xx");
    }

    private static List<PodHealthState> feed(PodHealthTracker t, ProbeResult... probes) {
        List<PodHealthState> out = new ArrayList<>();
        for (ProbeResult p : probes) {
            t.record(p).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void becomesReadyOnceAfterTheSuccessThreshold() {
        PodHealthTracker t = new PodHealthTracker(3, 2);
        assertThat(feed(t, ok(), ok())).isEmpty();
        assertThat(feed(t, ok())).containsExactly(PodHealthState.READY);
        assertThat(feed(t, ok(), ok(), ok())).isEmpty();
    }

    @Test
    void aFailureInTheStreakStartsTheCountAgain() {
        PodHealthTracker t = new PodHealthTracker(2, 3);
        assertThat(feed(t, ok(), fail(), ok())).isEmpty();
        assertThat(feed(t, ok())).containsExactly(PodHealthState.READY);
    }

    @Test
    void turnsUnhealthyAfterTheFailureThresholdAndRecovers() {
        PodHealthTracker t = new PodHealthTracker(1, 3);
        assertThat(feed(t, ok())).containsExactly(PodHealthState.READY);
        assertThat(feed(t, fail(), fail())).isEmpty();
        assertThat(feed(t, fail())).containsExactly(PodHealthState.UNHEALTHY);
        assertThat(feed(t, fail(), fail())).isEmpty();
        assertThat(feed(t, ok())).containsExactly(PodHealthState.RECOVERED);
        assertThat(t.isServing()).isTrue();
    }

    @Test
    void aPodThatNeverGetsReadyIsReportedUnhealthySoTheDeploymentLearnsWhy() {
        PodHealthTracker t = new PodHealthTracker(1, 2);
        assertThat(feed(t, fail(), fail(), fail())).containsExactly(PodHealthState.UNHEALTHY);
        assertThat(t.lastProbe()).get().extracting(ProbeResult::error).isEqualTo("HTTP status 503 is not 2xx");
        assertThat(feed(t, ok())).as("first time ready, not a recovery").containsExactly(PodHealthState.READY);
    }

    @Test
    void goneIsReportedOnceAndEndsTracking() {
        PodHealthTracker t = new PodHealthTracker(1, 1);
        feed(t, ok());
        assertThat(t.gone()).contains(PodHealthState.GONE);
        assertThat(t.gone()).isEmpty();
        assertThat(feed(t, fail(), ok())).isEmpty();
    }

    @Test
    void aRestartResetsTheStreaksButKeepsThePublishedState() {
        PodHealthTracker t = new PodHealthTracker(1, 2);
        feed(t, ok());
        feed(t, fail());
        t.restarted();
        assertThat(feed(t, fail())).isEmpty();
        assertThat(t.state()).contains(PodHealthState.READY);
        assertThat(feed(t, fail())).containsExactly(PodHealthState.UNHEALTHY);
    }
}
