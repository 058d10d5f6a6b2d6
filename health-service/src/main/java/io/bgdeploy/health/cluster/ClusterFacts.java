package io.bgdeploy.health.cluster;

import io.bgdeploy.events.Names;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.health.model.DashboardSnapshot.NodeCondition;
import io.bgdeploy.health.model.DashboardSnapshot.NodeView;
import io.bgdeploy.health.model.PodFacts;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** Reads the facts the dashboard and the restart alerts need out of Kubernetes objects. */
public final class ClusterFacts {

    private ClusterFacts() {
    }

    /**
     * The facts of a pod that carries an app label; empty for pods of no app (or with names
     * that are not valid app names or versions).
     */
    public static Optional<PodFacts> pod(Pod pod, String appLabel, String versionLabel, String deploymentIdLabel) {
        Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
        String app = labels.get(appLabel);
        String version = labels.getOrDefault(versionLabel, "unversioned");
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (!Names.isAppName(app) || !Names.isVersion(version) || !Names.isNamespace(namespace)
                || !Names.isHostName(name)) {
            return Optional.empty();
        }
        PodRef ref = new PodRef(labels.get(deploymentIdLabel), namespace, app, version, name);
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                ? List.of() : pod.getStatus().getContainerStatuses();
        int restarts = statuses.stream().map(ContainerStatus::getRestartCount).filter(Objects::nonNull)
                .mapToInt(Integer::intValue).sum();
        String reason = statuses.stream()
                .filter(s -> s.getLastState() != null && s.getLastState().getTerminated() != null)
                .map(s -> {
                    var t = s.getLastState().getTerminated();
                    String why = t.getReason() == null ? "Terminated" : t.getReason();
                    return s.getName() + ": " + why + (t.getExitCode() == null ? "" : " (exit " + t.getExitCode() + ")");
                })
                .findFirst().orElse(null);
        boolean ready = !statuses.isEmpty() && statuses.stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        String address = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        return Optional.of(new PodFacts(ref, pod.getSpec() == null ? null : pod.getSpec().getNodeName(), address, phase,
                restarts, reason, ready));
    }

    public static NodeView node(Node node) {
        var status = node.getStatus();
        List<NodeCondition> conditions = status == null || status.getConditions() == null ? List.of()
                : status.getConditions().stream()
                .map(c -> new NodeCondition(c.getType(), c.getStatus(), c.getReason(), c.getMessage())).toList();
        boolean ready = conditions.stream().anyMatch(c -> "Ready".equals(c.type()) && "True".equals(c.status()));
        return new NodeView(node.getMetadata().getName(), ready, conditions,
                quantities(status == null ? null : status.getCapacity()),
                quantities(status == null ? null : status.getAllocatable()));
    }

    private static Map<String, String> quantities(Map<String, Quantity> q) {
        Map<String, String> out = new TreeMap<>();
        if (q != null) {
            q.forEach((k, v) -> out.put(k, v.toString()));
        }
        return out;
    }
}
