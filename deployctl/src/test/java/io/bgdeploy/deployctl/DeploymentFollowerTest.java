package io.bgdeploy.deployctl;

import io.bgdeploy.events.EventData;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentFollowerTest {

    private static final String KEY = "shop/web";
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final List<String> out = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final DeploymentFollower follower = new DeploymentFollower("req-1", KEY, out::add, warnings::add);

    /** One record of deploy-events. */
    record Rec(String key, String value) {
    }

    private Optional<Outcome> feed(List<Rec> records) {
        int offset = 0;
        for (Rec r : records) {
            Optional<Outcome> o = follower.onRecord(r.key(), r.value(), "deploy-events-0@" + offset++);
            if (o.isPresent()) {
                return o;
            }
        }
        return Optional.empty();
    }

    private static Rec ours(EventData data, int secondsAfterStart) {
        return new Rec(KEY, Events.value(data, T0.plusSeconds(secondsAfterStart)));
    }

    private static DeploymentPhaseChanged phase(String id, DeploymentPhase phase, String message, Long previousMillis) {
        return new DeploymentPhaseChanged(id, "shop", "web", "3", phase, message, previousMillis);
    }

    @Test
    void aSuccessfulDeploymentPrintsItsPhasesWithDurationsAndExitsZero() {
        Optional<Outcome> outcome = feed(List.of(
                ours(new DeploymentAccepted("d-7", "req-1", "ci-job", "shop", "web", "3"), 0),
                ours(phase("d-7", DeploymentPhase.PREPARING, null, null), 0),
                ours(phase("d-7", DeploymentPhase.CREATING_GREEN, "creating web-3", 200L), 0),
                ours(phase("d-7", DeploymentPhase.WAITING_FOR_HEALTH, null, 1800L), 2),
                ours(phase("d-7", DeploymentPhase.WAITING_FOR_HEALTH, "1 of 2 pods ready", null), 4),
                ours(phase("d-7", DeploymentPhase.SWITCHING, null, 6000L), 8),
                ours(new DeploymentFinished("d-7", "shop", "web", "3", DeploymentStatus.DEPLOYED, null, 9500), 9)));

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.exitCode()).isZero();
            assertThat(o.summary()).isEqualTo("DEPLOYED shop/web version 3 (deployment d-7) after 9.5 s");
        });
        assertThat(out).containsExactly(
                "accepted: deployment d-7 of shop/web version 3 requested by ci-job",
                "phase PREPARING",
                "  PREPARING took 200 ms",
                "phase CREATING_GREEN: creating web-3",
                "  CREATING_GREEN took 1.8 s",
                "phase WAITING_FOR_HEALTH",
                "phase WAITING_FOR_HEALTH: 1 of 2 pods ready",
                "  WAITING_FOR_HEALTH took 6.0 s",
                "phase SWITCHING",
                "  SWITCHING took 1.0 s",
                "phases: PREPARING 200 ms, CREATING_GREEN 1.8 s, WAITING_FOR_HEALTH 6.0 s, SWITCHING 1.0 s",
                "DEPLOYED shop/web version 3 (deployment d-7) after 9.5 s");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aFailedDeploymentExitsOneWithItsReason() {
        Optional<Outcome> outcome = feed(List.of(
                ours(new DeploymentAccepted("d-8", "req-1", null, "shop", "web", "4"), 0),
                ours(phase("d-8", DeploymentPhase.WAITING_FOR_HEALTH, null, null), 1),
                ours(phase("d-8", DeploymentPhase.ROLLING_BACK, "web-4-0 answered 500", 60_000L), 61),
                ours(new DeploymentFinished("d-8", "shop", "web", "4", DeploymentStatus.FAILURE,
                        "pod web-4-0 not healthy within 60 s: HTTP 500", 62_000), 62)));

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.exitCode()).isEqualTo(Outcome.FAILURE);
            assertThat(o.summary()).isEqualTo("FAILURE: pod web-4-0 not healthy within 60 s: HTTP 500");
        });
        assertThat(out).last().isEqualTo(
                "FAILURE shop/web version 4 (deployment d-8) after 1 min 2 s: pod web-4-0 not healthy within 60 s: HTTP 500");
    }

    @Test
    void aRejectionOfThisRequestExitsTwoWithEveryProblem() {
        Optional<Outcome> outcome = feed(List.of(
                ours(new DeploymentRejected("req-other", KEY, "someone else's problem", List.of()), 0),
                ours(new DeploymentRejected("req-1", KEY, "the descriptor has 2 problem(s)",
                        List.of("replicas: 0 is less than 1", "frontend: 'http://x' contains '://'")), 0)));

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.exitCode()).isEqualTo(Outcome.REJECTED);
            assertThat(o.summary()).isEqualTo("rejected: the descriptor has 2 problem(s)");
        });
        assertThat(out).containsExactly("REJECTED shop/web: the descriptor has 2 problem(s)",
                "  - replicas: 0 is less than 1", "  - frontend: 'http://x' contains '://'");
    }

    @Test
    void recordsOfOtherAppsOtherRequestsAndOtherDeploymentsAreIgnored() {
        Optional<Outcome> outcome = feed(List.of(
                new Rec("shop/cart", "{not even json"),
                new Rec("shop/cart", Events.value(new DeploymentFinished("d-1", "shop", "cart", "1",
                        DeploymentStatus.FAILURE, "not ours", 10), T0)),
                ours(new DeploymentAccepted("d-6", "req-0", "someone", "shop", "web", "2"), 0),
                ours(phase("d-6", DeploymentPhase.SWITCHING, null, null), 0),
                ours(new DeploymentAccepted("d-7", "req-1", "ci", "shop", "web", "3"), 0),
                ours(new DeploymentFinished("d-6", "shop", "web", "2", DeploymentStatus.FAILURE, "not ours either", 5), 1),
                ours(new DeploymentRejected("req-1", KEY, "too late to count: already accepted", List.of()), 1)));

        assertThat(outcome).isEmpty();
        assertThat(follower.deploymentId()).contains("d-7");
        assertThat(out).containsExactly("accepted: deployment d-7 of shop/web version 3 requested by ci");
        assertThat(warnings).isEmpty();
    }

    @Test
    void anUnreadableRecordOfTheKeyIsReportedAndSkipped() {
        Optional<Outcome> outcome = feed(List.of(
                new Rec(KEY, "{\"specversion\":\"1.0\",\"type\":\"io.bgdeploy.deployment.exploded\"}"),
                ours(new DeploymentAccepted("d-7", "req-1", null, "shop", "web", "3"), 0),
                ours(new DeploymentFinished("d-7", "shop", "web", "3", DeploymentStatus.DEPLOYED, null, 1000), 1)));

        assertThat(outcome).map(Outcome::exitCode).contains(Outcome.DEPLOYED);
        assertThat(warnings).singleElement().asString()
                .startsWith("skipped an unreadable record of shop/web at deploy-events-0@0: ");
    }

    @Test
    void aTimeoutSaysWhereTheDeploymentWas() {
        assertThat(follower.timedOut(Duration.ofMinutes(10)).summary())
                .isEqualTo("no answer to request req-1 within 10 min 0 s: is deployer-service running and reading deploy-requests?");

        feed(List.of(ours(new DeploymentAccepted("d-7", "req-1", null, "shop", "web", "3"), 0),
                ours(phase("d-7", DeploymentPhase.WAITING_FOR_HEALTH, null, null), 1)));
        Outcome o = follower.timedOut(Duration.ofSeconds(30));

        assertThat(o.exitCode()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(o.summary()).isEqualTo("deployment d-7 of shop/web did not finish within 30.0 s; it is in phase"
                + " WAITING_FOR_HEALTH. It goes on in the deployer: check GET /deployments/d-7/?namespace=shop");
    }
}
