package io.bgdeploy.health.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.events.pod.ServingAlert;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Everything the dashboard shows, as served by {@code GET /api/dashboard} and pushed to open pages. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DashboardSnapshot(Instant generatedAt, long revision, Summary summary, List<NodeView> nodes,
                                List<AppView> apps, List<DataStoreView> dataStores, List<AlertView> alerts,
                                List<ServingAlert> servingAlerts) {

    /** Counts for the header; {@code alerts} are recent restart alerts, {@code servingAlerts} the ones raised now. */
    public record Summary(int pods, int serving, int unhealthy, int nodes, int nodesNotReady,
                          int dataStoresDown, int alerts, int servingAlerts) {
    }

    /** A Kubernetes node: its conditions and capacity. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeView(String name, boolean ready, List<NodeCondition> conditions, Map<String, String> capacity,
                           Map<String, String> allocatable) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeCondition(String type, String status, String reason, String message) {
    }

    public record AppView(String namespace, String app, List<VersionView> versions) {
    }

    public record VersionView(String version, int serving, int pods, List<PodView> podList) {
    }

    /**
     * One pod. {@code health}: {@code starting} (not yet decided), {@code ready}, {@code unhealthy},
     * {@code recovered}, {@code not ready} (a cluster pod whose containers are not ready) or
     * {@code no check} (no health check configured: it serves while it runs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PodView(String namespace, String app, String version, String pod, String deploymentId,
                          String node, String address, String probeUrl, String health, boolean serving,
                          String phase, int restarts, String lastTerminationReason, ProbeResult lastProbe) {
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
