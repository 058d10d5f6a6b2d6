package io.bgdeploy.deployer.model;

import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class HealthBoardTest {

    private final HealthBoard board = new HealthBoard();

    @Test
    void aDeploymentRunElsewhereLeavesTheBoardWithItsLastPodAlthoughNothingForgetsItHere() {
        for (int version = 1; version <= 100; version++) {
            String id = "d" + version;
            for (String pod : new String[] {"p0", "p1"}) {
                board.onRunning(id, pod, true);
                board.onHealth(health(id, version, pod, PodHealthState.READY));
            }
            // the version is replaced: its pods stop and health-service reports them gone, in either order
            board.onRunning(id, "p0", false);
            board.onHealth(health(id, version, "p0", PodHealthState.GONE));
            board.onHealth(health(id, version, "p1", PodHealthState.GONE));
            board.onRunning(id, "p1", false);
        }

        assertThat(board.size()).isZero();
        assertThat(board.snapshot("d100").running()).isEmpty();
        assertThat(board.snapshot("d100").health()).isEmpty();
    }

    @Test
    void aLateResultForAForgottenDeploymentIsDroppedWhenItsPodIsGone() {
        board.onRunning("d1", "p0", true);
        board.onHealth(health("d1", 1, "p0", PodHealthState.READY));
        board.forget("d1");

        board.onHealth(health("d1", 1, "p0", PodHealthState.UNHEALTHY));
        board.onRunning("d1", "p0", false);
        board.onHealth(health("d1", 1, "p0", PodHealthState.GONE));

        assertThat(board.size()).isZero();
    }

    @Test
    void aGonePodLeavesWhileItsDeploymentsOtherPodsStay() {
        board.onRunning("d1", "p0", true);
        board.onRunning("d1", "p1", true);
        board.onHealth(health("d1", 1, "p0", PodHealthState.READY));
        board.onHealth(health("d1", 1, "p1", PodHealthState.READY));

        board.onRunning("d1", "p0", false);
        board.onHealth(health("d1", 1, "p0", PodHealthState.GONE));

        HealthBoard.Snapshot s = board.snapshot("d1");
        assertThat(s.running()).containsOnly("p1");
        assertThat(s.health()).containsOnlyKeys("p1");
        assertThat(s.countRunningIn(PodHealthState::isServing)).isEqualTo(1);
        assertThat(board.size()).isEqualTo(1);
    }

    private static PodHealthChanged health(String deploymentId, int version, String pod, PodHealthState state) {
        PodRef ref = new PodRef(deploymentId, "default", "shop", String.valueOf(version), pod);
        ProbeResult probe = state == PodHealthState.GONE ? null
                : new ProbeResult(Instant.now(), state.isServing(), state.isServing() ? 200 : 503, 2, null, null);
        return new PodHealthChanged(ref, state, probe);
    }
}
