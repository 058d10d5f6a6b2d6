package io.bgdeploy.health.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.health.AppHealthReport.Series;
import io.bgdeploy.events.pod.ServingAlert;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's overview, as served by {@code GET /api/dashboard} and pushed to open pages: every
 * app as tiles of its versions with counts, its restarts over time, the alerts, and the nodes and
 * data stores. The pods of one app are asked for apart ({@code GET /api/dashboard/apps/...}).
 *
 * @param instance the instance that answered; every instance shows every app
 * @param nodes    empty where the platform has no nodes to watch (the local platform)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DashboardSnapshot(Instant generatedAt, long revision, String instance, Summary summary,
                                List<NodeView> nodes, List<AppTile> apps, List<DataStoreView> dataStores,
                                List<AlertView> alerts, List<ServingAlert> servingAlerts) {

    /** Counts for the header; {@code alerts} are recent restart alerts, {@code servingAlerts} the ones raised now. */
    public record Summary(int apps, int pods, int serving, int unhealthy, int starting, int nodes, int nodesNotReady,
                          int dataStoresDown, int alerts, int servingAlerts) {
    }

    /**
     * One app. {@code reporter}: the instance that probes it; {@code stale} when that instance has
     * not reported for longer than expected (it may have stopped; another takes over).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AppTile(String namespace, String app, String servingVersion, String reporter, Instant reportedAt,
                          boolean stale, int restartsInWindow, Series restarts, List<VersionTile> versions) {
    }

    /**
     * One version's pods counted. {@code state}: {@code serving} (every pod serves), {@code starting}
     * (some not decided yet, none failing), {@code degraded} (some serve, some fail), {@code down}
     * (none serves), or {@code empty} (the version should serve but has no pod).
     */
    public record VersionTile(String version, String state, boolean shouldServe, int pods, int serving,
                              int unhealthy, int starting) {
    }

    /** A Kubernetes node: its conditions and capacity. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeView(String name, boolean ready, List<NodeCondition> conditions, Map<String, String> capacity,
                           Map<String, String> allocatable) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeCondition(String type, String status, String reason, String message) {
    }

    /** A data store outside the cluster; {@code up} is absent until its first check. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DataStoreView(String name, String type, String target, Boolean up, Long latencyMillis,
                                Instant lastCheck, String lastError, Instant lastErrorAt) {
    }

    /** A restart alert as raised. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AlertView(Instant raisedAt, String namespace, String app, String version, String pod,
                            int restartsInWindow, long windowSeconds, int threshold, String reason) {
    }
}
