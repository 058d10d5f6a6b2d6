package io.bgdeploy.health.cluster;

import io.bgdeploy.health.alerts.RestartAlerts;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.PodFacts;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches a Kubernetes cluster with fabric8 informers: nodes (conditions, capacity) go to the
 * dashboard; pods (phase, restart count, last termination reason) go to the dashboard and to the
 * restart alerts. A pod's restarts before the watch first saw it do not raise alerts.
 */
public final class ClusterWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterWatch.class);
    private static final long RESYNC_MILLIS = 0;

    private final KubernetesClient client;
    private final String namespace;
    private final Labels labels;
    private final DashboardState dashboard;
    private final RestartAlerts restarts;
    private final Clock clock;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    /** The pod labels that name app, version and deployment. */
    public record Labels(String app, String version, String deploymentId) {
    }

    public ClusterWatch(KubernetesClient client, String namespace, Labels labels, DashboardState dashboard,
                        RestartAlerts restarts, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.labels = labels;
        this.dashboard = dashboard;
        this.restarts = restarts;
        this.clock = clock;
    }

    public void start() {
        informers.add(client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                dashboard.node(ClusterFacts.node(node));
            }

            @Override
            public void onUpdate(Node old, Node node) {
                dashboard.node(ClusterFacts.node(node));
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                dashboard.nodeDeleted(node.getMetadata().getName());
            }
        }, RESYNC_MILLIS));
        var pods = namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
        informers.add(pods.inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                facts(pod).ifPresent(f -> {
                    restarts.baseline(f.pod(), f.restarts(), f.lastTerminationReason());
                    show(f);
                });
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                facts(pod).ifPresent(f -> {
                    restarts.restarted(f.pod(), f.restarts(), f.lastTerminationReason(), clock.instant());
                    show(f);
                });
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                facts(pod).ifPresent(f -> {
                    restarts.forget(f.pod());
                    dashboard.clusterPodDeleted(f.pod());
                });
            }
        }, RESYNC_MILLIS));
        LOG.infof("watching nodes and pods (%s) of the Kubernetes cluster at %s",
                namespace == null ? "all namespaces" : "namespace " + namespace, client.getMasterUrl());
    }

    private java.util.Optional<PodFacts> facts(Pod pod) {
        return ClusterFacts.pod(pod, labels.app(), labels.version(), labels.deploymentId());
    }

    private void show(PodFacts f) {
        dashboard.clusterPod(f);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
