package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.events.pod.ServingAlert.Condition;
import io.bgdeploy.events.pod.ServingAlert.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: the decision is a pure function of the pods and the time of each check. */
class ServingCheckTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Optional<String> V3 = Optional.of("3");
    private final ServingCheck check = new ServingCheck(Duration.ofSeconds(3), Duration.ofSeconds(60));

    private static PodStatus serving(String name) {
        return new PodStatus(name, true, true, null);
    }

    private static PodStatus unhealthy(String name) {
        return new PodStatus(name, false, true, "unhealthy (HTTP status 503 is not 2xx)");
    }

    private static PodStatus starting(String name) {
        return new PodStatus(name, false, false, "starting");
    }

    private List<ServingAlert> at(int seconds, Optional<String> version, PodStatus... pods) {
        return check.check("prod", "shop", version, List.of(pods), T0.plusSeconds(seconds));
    }

    @Test
    void noServingPodIsRaisedAfterItsGraceOnceAndClearedWhenAPodServesAgain() {
        assertThat(at(0, V3, unhealthy("shop-3-a"), unhealthy("shop-3-b"))).isEmpty();
        assertThat(at(2, V3, unhealthy("shop-3-a"), unhealthy("shop-3-b"))).isEmpty();
        List<ServingAlert> raised = at(3, V3, unhealthy("shop-3-a"), unhealthy("shop-3-b"));
        assertThat(raised).singleElement().satisfies(a -> {
            assertThat(a.condition()).isEqualTo(Condition.NO_SERVING_POD);
            assertThat(a.state()).isEqualTo(State.RAISED);
            assertThat(a.version()).isEqualTo("3");
            assertThat(a.servingPods()).isZero();
            assertThat(a.expectedPods()).isEqualTo(2);
            assertThat(a.since()).isEqualTo(T0);
            assertThat(a.reason()).isEqualTo("0 of 2 pods of version 3 serve: shop-3-a unhealthy (HTTP status 503 is not 2xx),"
                    + " shop-3-b unhealthy (HTTP status 503 is not 2xx)");
        });
        assertThat(at(10, V3, unhealthy("shop-3-a"), unhealthy("shop-3-b"))).as("raised once").isEmpty();
        assertThat(check.active("prod/shop")).hasSize(1);

        List<ServingAlert> cleared = at(11, V3, serving("shop-3-a"), unhealthy("shop-3-b"));
        assertThat(cleared).singleElement().satisfies(a -> {
            assertThat(a.condition()).isEqualTo(Condition.NO_SERVING_POD);
            assertThat(a.state()).isEqualTo(State.CLEARED);
            assertThat(a.servingPods()).isEqualTo(1);
            assertThat(a.reason()).isEqualTo("1 of 2 pods of version 3 serve");
        });
    }

    @Test
    void tooFewServingPodsIsRaisedOnlyAfterItsTimeAndClearedWhenAllServe() {
        assertThat(at(0, V3, serving("a"), unhealthy("b"))).isEmpty();
        assertThat(at(59, V3, serving("a"), unhealthy("b"))).isEmpty();
        assertThat(at(60, V3, serving("a"), unhealthy("b"))).singleElement().satisfies(a -> {
            assertThat(a.condition()).isEqualTo(Condition.TOO_FEW_SERVING_PODS);
            assertThat(a.state()).isEqualTo(State.RAISED);
            assertThat(a.reason()).isEqualTo("1 of 2 pods of version 3 serve: b unhealthy (HTTP status 503 is not 2xx)");
        });
        assertThat(at(61, V3, serving("a"), serving("b"))).singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo(State.CLEARED));
        assertThat(check.active("prod/shop")).isEmpty();
    }

    @Test
    void aShortDipRaisesNothing() {
        assertThat(at(0, V3, serving("a"), unhealthy("b"))).isEmpty();
        assertThat(at(30, V3, serving("a"), serving("b"))).isEmpty();
        assertThat(at(70, V3, serving("a"), unhealthy("b"))).as("the time starts again").isEmpty();
        assertThat(at(1, V3, unhealthy("a"), unhealthy("b"))).isEmpty();
    }

    @Test
    void podsStillStartingAreWaitedForAndAVersionWithoutPodsHasNoServingPod() {
        assertThat(at(0, V3, starting("a"), unhealthy("b"))).isEmpty();
        assertThat(at(30, V3, starting("a"), unhealthy("b"))).as("a pod still starting may serve soon").isEmpty();
        assertThat(at(31, V3, unhealthy("a"), unhealthy("b"))).isEmpty();
        assertThat(at(34, V3, unhealthy("a"), unhealthy("b"))).extracting(ServingAlert::condition)
                .containsExactly(Condition.NO_SERVING_POD);

        ServingCheck other = new ServingCheck(Duration.ofSeconds(3), Duration.ofSeconds(60));
        assertThat(other.check("prod", "cart", V3, List.of(), T0)).isEmpty();
        assertThat(other.check("prod", "cart", V3, List.of(), T0.plusSeconds(3))).singleElement()
                .satisfies(a -> assertThat(a.reason()).isEqualTo("no pod of version 3 runs"));
    }

    @Test
    void alertsOfAVersionThatNoLongerServesAreClearedWithTheReason() {
        at(0, V3, unhealthy("a"));
        assertThat(at(3, V3, unhealthy("a"))).hasSize(1);
        assertThat(at(4, Optional.of("4"), serving("shop-4-a"))).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(State.CLEARED);
            assertThat(a.version()).isEqualTo("3");
            assertThat(a.reason()).isEqualTo("version 3 no longer serves: version 4 does");
        });

        at(10, Optional.of("4"), unhealthy("shop-4-a"));
        assertThat(at(13, Optional.of("4"), unhealthy("shop-4-a"))).hasSize(1);
        assertThat(at(14, Optional.empty())).singleElement().satisfies(a -> assertThat(a.reason())
                .isEqualTo("version 4 no longer has to serve: the app was undeployed"));
        assertThat(at(20, Optional.empty(), unhealthy("x"))).as("an app that need not serve raises nothing").isEmpty();
    }

    @Test
    void anAlertRaisedByTheInstanceBeforeIsClearedByTheOneThatTakesTheAppOver() {
        ServingAlert before = new ServingAlert("prod", "shop", "3", Condition.NO_SERVING_POD, State.RAISED, 0, 2,
                T0.minusSeconds(40), "0 of 2 pods of version 3 serve");
        check.adopt(List.of(before));
        assertThat(at(0, V3, serving("a"), serving("b"))).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(State.CLEARED);
            assertThat(a.since()).isEqualTo(before.since());
        });

        check.adopt(List.of(before));
        assertThat(at(1, V3, unhealthy("a"), unhealthy("b"))).as("still holds: raised already, not again").isEmpty();
    }
}
