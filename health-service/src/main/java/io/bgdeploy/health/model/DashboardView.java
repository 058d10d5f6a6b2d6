package io.bgdeploy.health.model;

import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.events.health.AppHealthReport.PodHealth;
import io.bgdeploy.events.health.AppHealthReport.VersionHealth;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.health.model.DashboardSnapshot.AlertView;
import io.bgdeploy.health.model.DashboardSnapshot.AppTile;
import io.bgdeploy.health.model.DashboardSnapshot.DataStoreView;
import io.bgdeploy.health.model.DashboardSnapshot.NodeView;
import io.bgdeploy.health.model.DashboardSnapshot.Summary;
import io.bgdeploy.health.model.DashboardSnapshot.VersionTile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The whole picture, the same on every instance: the apps this instance probes as it knows them,
 * every other app as the instance that probes it last reported it, and this instance's own view of
 * the nodes and data stores (each instance watches and checks those itself).
 */
public final class DashboardView {

    private final DashboardState local;
    private final RemoteReports remote;
    private final ServingVersions versions;
    private final AppOwnership ownership;
    private final InstanceName self;
    private final Clock clock;
    private final Duration staleAfter;
    private final int maxAlerts;

    public DashboardView(DashboardState local, RemoteReports remote, ServingVersions versions, AppOwnership ownership,
                         InstanceName self, Clock clock, Duration staleAfter, int maxAlerts) {
        this.local = local;
        this.remote = remote;
        this.versions = versions;
        this.ownership = ownership;
        this.self = self;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.maxAlerts = maxAlerts;
    }

    /** Grows whenever anything shown changes. */
    public long revision() {
        return local.revision() + remote.revision() + versions.revision();
    }

    /** The app as this instance knows it: what it reports to the others about an app it probes. */
    public AppHealthReport localReport(String appKey) {
        return local.report(appKey, self.value(), versions.serving(appKey));
    }

    /** One app with all its pods, whichever instance probes it. */
    public Optional<AppHealthReport> app(String appKey) {
        if (!appKeys().contains(appKey)) {
            return Optional.empty();
        }
        return Optional.of(report(appKey));
    }

    public DashboardSnapshot overview() {
        Instant now = clock.instant();
        List<AppTile> tiles = new ArrayList<>();
        List<AlertView> alerts = new ArrayList<>();
        List<ServingAlert> servingAlerts = new ArrayList<>();
        int pods = 0;
        int serving = 0;
        int unhealthy = 0;
        int starting = 0;
        for (String key : appKeys()) {
            AppHealthReport r = report(key);
            boolean shownFromRemote = !r.reporter().equals(self.value());
            List<VersionTile> versionTiles = new ArrayList<>();
            for (VersionHealth v : r.versions()) {
                VersionTile t = tile(v, v.version().equals(r.servingVersion()));
                versionTiles.add(t);
                pods += t.pods();
                serving += t.serving();
                unhealthy += t.unhealthy();
                starting += t.starting();
            }
            int restarts = r.restarts().counts().stream().mapToInt(Integer::intValue).sum();
            tiles.add(new AppTile(r.namespace(), r.appName(), r.servingVersion(), r.reporter(), r.reportedAt(),
                    shownFromRemote && remote.stale(key, now, staleAfter), restarts, r.restarts(), versionTiles));
            r.restartAlerts().forEach(a -> alerts.add(new AlertView(a.raisedAt(), r.namespace(), r.appName(),
                    a.version(), a.pod(), a.restartsInWindow(), a.windowSeconds(), a.threshold(), a.reason())));
            servingAlerts.addAll(r.alerts());
        }
        alerts.sort(Comparator.comparing(AlertView::raisedAt).reversed());
        List<AlertView> recent = alerts.size() > maxAlerts ? alerts.subList(0, maxAlerts) : alerts;
        List<NodeView> nodes = local.nodes();
        List<DataStoreView> stores = local.dataStores();
        int nodesNotReady = (int) nodes.stream().filter(n -> !n.ready()).count();
        int storesDown = (int) stores.stream().filter(d -> Boolean.FALSE.equals(d.up())).count();
        Summary summary = new Summary(tiles.size(), pods, serving, unhealthy, starting, nodes.size(), nodesNotReady,
                storesDown, recent.size(), servingAlerts.size());
        return new DashboardSnapshot(now, revision(), self.value(), summary, nodes, List.copyOf(tiles), stores,
                List.copyOf(recent), List.copyOf(servingAlerts));
    }

    private Set<String> appKeys() {
        Set<String> keys = new TreeSet<>(local.appKeys());
        keys.addAll(remote.appKeys());
        keys.addAll(versions.all().keySet());
        return keys;
    }

    /** The report of this instance for the apps it probes (or that nobody else reports), else the last remote one. */
    private AppHealthReport report(String appKey) {
        Optional<AppHealthReport> theirs = remote.get(appKey);
        if (ownership.owns(appKey) || theirs.isEmpty()) {
            return localReport(appKey);
        }
        return theirs.get();
    }

    static VersionTile tile(VersionHealth v, boolean shouldServe) {
        int pods = v.pods().size();
        int unhealthy = (int) v.pods().stream().filter(p -> !p.serving() && !DashboardState.STARTING.equals(p.health()))
                .count();
        int starting = (int) v.pods().stream().filter(p -> DashboardState.STARTING.equals(p.health())).count();
        int serving = (int) v.pods().stream().filter(PodHealth::serving).count();
        String state;
        if (pods == 0) {
            state = "empty";
        } else if (serving == pods) {
            state = "serving";
        } else if (unhealthy == 0) {
            state = "starting";
        } else {
            state = serving == 0 ? "down" : "degraded";
        }
        return new VersionTile(v.version(), state, shouldServe, pods, serving, unhealthy, starting);
    }
}
