package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

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

    @Test
    void theHopsOfTheOverheadComeInTheOrderADeploymentMakesThemEachOverTheDeploymentsThatMadeIt() {
        Instant t = Instant.parse("2026-12-04T20:00:00Z");
        Map<DeploymentPhase, Instant> phases = new EnumMap<>(DeploymentPhase.class);
        phases.put(DeploymentPhase.CREATING_GREEN, t.plusMillis(30));
        phases.put(DeploymentPhase.WAITING_FOR_HEALTH, t.plusMillis(60));
        phases.put(DeploymentPhase.SWITCHING, t.plusMillis(2_075));
        phases.put(DeploymentPhase.DRAINING, t.plusMillis(2_145));
        phases.put(DeploymentPhase.REMOVING_BLUE, t.plusMillis(4_150));
        Duration drainDelay = Duration.ofSeconds(2); // DRAINING lasted 2,005 ms
        DeploymentMilestones full = new DeploymentMilestones(t.minusMillis(25), t, phases, t.plusMillis(80),
                t.plusMillis(2_060), t.plusMillis(4_220), t.plusMillis(4_232), Map.of("SwitchFrontend", 50L, "RemoveBackend", 40L));
        // the first deployment of an app: no blue to remove, so neither REMOVING_BLUE nor a RemoveBackend
        Map<DeploymentPhase, Instant> first = new EnumMap<>(phases);
        first.remove(DeploymentPhase.REMOVING_BLUE);
        DeploymentMilestones noBlue = new DeploymentMilestones(t.minusMillis(25), t, first, t.plusMillis(80),
                t.plusMillis(2_060), t.plusMillis(2_200), t.plusMillis(2_210), Map.of("SwitchFrontend", 70L));

        assertThat(full.hops(drainDelay)).containsExactly(entry("request sent -> accepted", 25L),
                entry("accepted -> CREATING_GREEN", 30L), entry("CREATING_GREEN -> WAITING_FOR_HEALTH", 30L),
                entry("WAITING_FOR_HEALTH -> last pod started", 20L), entry("slowest pod READY -> SWITCHING", 15L),
                entry("SWITCHING -> DRAINING", 70L), entry("DRAINING beyond the drain delay", 5L),
                entry("REMOVING_BLUE -> finished", 70L), entry("finished -> heard by the client", 12L),
                entry("RemoveBackend record -> answer", 40L), entry("SwitchFrontend record -> answer", 50L));
        assertThat(noBlue.hops(drainDelay)).doesNotContainKeys("DRAINING beyond the drain delay", "REMOVING_BLUE -> finished",
                "RemoveBackend record -> answer");

        OverheadFigures f = OverheadFigures.of(List.of(
                new DeploymentTiming("d1", DeploymentStatus.DEPLOYED, 4_300, 2_000, 2_000, full.hops(drainDelay)),
                new DeploymentTiming("d2", DeploymentStatus.DEPLOYED, 4_300, 2_000, 2_000, noBlue.hops(drainDelay))), DRAIN);
        assertThat(f.hops().keySet()).startsWith("request sent -> accepted", "accepted -> CREATING_GREEN");
        assertThat(f.hops().get("SwitchFrontend record -> answer")).isEqualTo(new OverheadFigures.Percentiles(50, 70, 70));
        assertThat(f.hops().get("REMOVING_BLUE -> finished")).as("only d1 removed a blue")
                .isEqualTo(new OverheadFigures.Percentiles(70, 70, 70));
    }
}
