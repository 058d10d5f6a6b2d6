package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deployments benchmark's arithmetic: overhead per deployment and nearest-rank percentiles. */
class OverheadFiguresTest {

    private static final Duration DRAIN = Duration.ofSeconds(10);

    @Test
    void overheadIsTotalMinusSlowestPodMinusDrainDelay() {
        DeploymentTiming t = new DeploymentTiming("d1", DeploymentStatus.DEPLOYED, 14_300, 3_900, 10_000);

        assertThat(t.overheadMillis(DRAIN)).isEqualTo(400);
        assertThat(t.overheadMillis(Duration.ZERO)).isEqualTo(10_400);
    }

    @Test
    void overheadNeverGoesBelowZero() {
        assertThat(new DeploymentTiming("d1", DeploymentStatus.FAILURE, 2_000, 1_500, 0).overheadMillis(DRAIN)).isZero();
    }

    @Test
    void percentilesAreNearestRankOverTheDeployments() {
        List<DeploymentTiming> timings = new ArrayList<>();
        for (int overhead = 100; overhead >= 1; overhead--) {
            // a hundred deployments whose overheads are 1 .. 100 ms, listed in reverse
            timings.add(new DeploymentTiming("d" + overhead, DeploymentStatus.DEPLOYED, 10_000 + 2_000 + overhead, 2_000, 10_000));
        }

        OverheadFigures f = OverheadFigures.of(timings, DRAIN);

        assertThat(f.deployments()).isEqualTo(100);
        assertThat(f.overhead()).isEqualTo(new OverheadFigures.Percentiles(50, 99, 100));
        assertThat(f.slowestPod()).isEqualTo(new OverheadFigures.Percentiles(2_000, 2_000, 2_000));
        assertThat(f.total().p50()).isEqualTo(12_050);
    }

    @Test
    void aFewDeploymentsGiveTheirOwnValuesAndCountTheOnesNotDeployed() {
        OverheadFigures f = OverheadFigures.of(List.of(
                new DeploymentTiming("a", DeploymentStatus.DEPLOYED, 11_300, 1_000, 10_000),
                new DeploymentTiming("b", DeploymentStatus.FAILURE, 11_100, 1_000, 10_000),
                new DeploymentTiming("c", DeploymentStatus.DEPLOYED, 12_000, 1_000, 10_000)), DRAIN);

        assertThat(f.overhead()).isEqualTo(new OverheadFigures.Percentiles(300, 1_000, 1_000));
        assertThat(f.notDeployed()).isEqualTo(1);
    }

    @Test
    void noDeploymentsIsAnError() {
        assertThatThrownBy(() -> OverheadFigures.of(List.of(), DRAIN))
                .hasMessageContaining("at least one deployment");
    }

    @Test
    void aDrainDelayOtherThanTheDeployersIsRefusedInsteadOfCountedAsOverhead() {
        // the deployer drained 10 s; told 2 s, the overhead would hold 8 s of drain
        List<DeploymentTiming> timings = List.of(
                new DeploymentTiming("a", DeploymentStatus.DEPLOYED, 21_000, 9_000, 10_020),
                new DeploymentTiming("b", DeploymentStatus.DEPLOYED, 22_000, 9_500, 10_015));

        assertThat(OverheadFigures.of(timings, Duration.ofSeconds(2)).drainMismatch(Duration.ofSeconds(2)))
                .hasValueSatisfying(problem -> assertThat(problem)
                        .contains("kept blue for 10,015 ms").contains("drain delay given is 2,000 ms"));
        assertThat(OverheadFigures.of(timings, DRAIN).drainMismatch(DRAIN)).isEmpty();
    }
}
