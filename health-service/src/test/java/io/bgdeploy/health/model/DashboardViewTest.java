package io.bgdeploy.health.model;

import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.events.health.AppHealthReport.PodHealth;
import io.bgdeploy.events.health.AppHealthReport.Series;
import io.bgdeploy.events.health.AppHealthReport.VersionHealth;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.Dashboards;
import io.bgdeploy.health.model.DashboardSnapshot.AppTile;
import io.bgdeploy.health.model.DashboardSnapshot.VersionTile;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Not a @QuarkusTest: the picture one instance shows, made of its own apps and the reports of the
 * others, at a fixed time.
 */
class DashboardViewTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final DashboardState local = Dashboards.state(clock);
    private final RemoteReports remote = new RemoteReports(new InstanceName("me"));
    private final ServingVersions versions = new ServingVersions();
    private final Set<String> owned = new HashSet<>();
    private final DashboardView view = new DashboardView(local, remote, versions, owned::contains,
            new InstanceName("me"), clock, Duration.ofSeconds(30), 10);

    private static PodHealth pod(String name, String health, boolean serving) {
        return new PodHealth(name, "d-1", "node-1", "10.0.0.1", "http://10.0.0.1:80/health", health, serving, null, 0,
                null, null, null, List.of());
    }

    private static AppHealthReport report(String reporter, Instant at, String app, List<VersionHealth> versions) {
        return new AppHealthReport(reporter, at, "prod", app, null, versions, List.of(), List.of(),
                new Series(at, 60_000, List.of(0, 0)));
    }

    private AppTile tile(String app) {
        return view.overview().apps().stream().filter(a -> a.app().equals(app)).findFirst().orElse(null);
    }

    @Test
    void appsThisInstanceProbesComeFromItsOwnStateAndTheOthersFromTheirReports() {
        PodRef mine = new PodRef("d-1", "prod", "cart", "2", "cart-2-a");
        local.podStarted(mine, "node-1", "10.0.0.2", "http://10.0.0.2:80/health");
        local.healthChanged(mine, PodHealthState.READY, new ProbeResult(NOW, true, 200, 3, null, null));
        owned.add("prod/cart");
        remote.received(report("other", NOW.minusSeconds(5), "shop", List.of(new VersionHealth("7", 1,
                List.of(pod("shop-7-a", "ready", true), pod("shop-7-b", "unhealthy", false))))), NOW.minusSeconds(5));
        remote.received(report("me", NOW, "ghost", List.of(new VersionHealth("1", 0, List.of()))), NOW);

        DashboardSnapshot s = view.overview();
        assertThat(s.apps()).extracting(AppTile::app).as("its own report read back is not a remote one")
                .containsExactly("cart", "shop");
        assertThat(tile("cart").reporter()).isEqualTo("me");
        assertThat(tile("cart").versions()).singleElement().satisfies(v -> {
            assertThat(v.state()).isEqualTo("serving");
            assertThat(v.serving()).isEqualTo(1);
        });
        assertThat(tile("shop").reporter()).isEqualTo("other");
        assertThat(tile("shop").stale()).isFalse();
        assertThat(tile("shop").versions()).singleElement().extracting(VersionTile::state).isEqualTo("degraded");
        assertThat(s.summary().pods()).isEqualTo(3);
        assertThat(s.summary().serving()).isEqualTo(2);
        assertThat(s.summary().unhealthy()).isEqualTo(1);
        assertThat(view.app("prod/shop")).get().extracting(AppHealthReport::reporter).isEqualTo("other");
        assertThat(s.nodes()).as("the local platform has no nodes").isEmpty();
    }

    @Test
    void aReportNotRenewedIsStaleAndAnEmptyOneRemovesTheApp() {
        remote.received(report("other", NOW.minusSeconds(60), "shop", List.of(new VersionHealth("7", 1,
                List.of(pod("shop-7-a", "ready", true))))), NOW.minusSeconds(60));
        assertThat(tile("shop").stale()).isTrue();
        remote.received(report("other", NOW.minusSeconds(61), "shop", List.of()), NOW);
        assertThat(tile("shop")).as("an older report changes nothing").isNotNull();
        remote.received(report("other", NOW, "shop", List.of()), NOW);
        assertThat(tile("shop")).as("an empty report says the app is gone").isNull();
    }

    @Test
    void aVersionThatShouldServeAndHasNoPodIsShownAsEmptyAndPodsWithoutACheckServe() {
        versions.apply(new DeploymentFinished("d-9", "prod", "lost", "9", DeploymentStatus.DEPLOYED, null, 10));
        owned.add("prod/lost");
        assertThat(tile("lost").versions()).singleElement().satisfies(v -> {
            assertThat(v.state()).isEqualTo("empty");
            assertThat(v.shouldServe()).isTrue();
        });

        PodRef plain = new PodRef("d-3", "prod", "plain", "3", "plain-3-a");
        local.podStarted(plain, "local", "127.0.0.1", null);
        owned.add("prod/plain");
        assertThat(tile("plain").versions()).singleElement().satisfies(v -> {
            assertThat(v.state()).isEqualTo("serving");
            assertThat(v.serving()).isEqualTo(1);
        });
        assertThat(view.app("prod/plain")).get().satisfies(r ->
                assertThat(r.versions().get(0).pods().get(0).health()).isEqualTo(DashboardState.NO_CHECK));
    }

    @Test
    void probesAndRestartsFillThePodsSparklineAndTheAppsRestartsOverTime() {
        PodRef p = new PodRef("d-1", "prod", "cart", "2", "cart-2-a");
        local.podStarted(p, "node-1", "10.0.0.2", "http://10.0.0.2:80/health");
        local.probed(p, new ProbeResult(NOW.minusSeconds(25), true, 200, 14, null, null));
        local.probed(p, new ProbeResult(NOW.minusSeconds(24), false, 503, 31, null, "HTTP status 503 is not 2xx"));
        local.restarted(p, 1, "Error (exit 1)", NOW.minusSeconds(20), 1);
        owned.add("prod/cart");

        AppHealthReport r = view.app("prod/cart").orElseThrow();
        PodHealth pod = r.versions().get(0).pods().get(0);
        List<Long> points = pod.latency().maxMillis();
        int bucket = points.size() - 4; // 09:59:30-09:59:40 of the buckets ending with 10:00:00-10:00:10
        assertThat(pod.latency().start().plusMillis(bucket * pod.latency().bucketMillis()))
                .isEqualTo(NOW.minusSeconds(30));
        assertThat(points.get(bucket)).as("the slowest probe of the bucket").isEqualTo(31L);
        assertThat(pod.latency().failures().get(bucket)).isEqualTo(1);
        assertThat(points.stream().filter(Objects::nonNull)).hasSize(1);
        assertThat(pod.restartMarks()).containsExactly(NOW.minusSeconds(20));
        assertThat(r.restarts().counts().get(r.restarts().counts().size() - 2)).as("in the minute 09:59").isEqualTo(1);
        assertThat(tile("cart").restartsInWindow()).isEqualTo(1);
    }
}
