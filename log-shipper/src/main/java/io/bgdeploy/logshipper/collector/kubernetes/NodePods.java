package io.bgdeploy.logshipper.collector.kubernetes;

import io.bgdeploy.events.PodLabels;
import io.bgdeploy.logshipper.model.PodDirectory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;

/**
 * The pods of one node, as the Kubernetes API reports them: one informer that lists and watches
 * only this node's pods ({@code spec.nodeName} field selector), so a node collector holds a few
 * dozen pods, not the cluster's. The identity of a pod is read from the labels named in
 * {@link PodLabels}. Needs RBAC get, list and watch on pods.
 */
public final class NodePods implements PodDirectory, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodePods.class);

    private final SharedIndexInformer<Pod> informer;

    private NodePods(SharedIndexInformer<Pod> informer) {
        this.informer = informer;
    }

    /** Starts the informer; it lists, watches, and reconnects on its own. */
    public static NodePods watch(KubernetesClient client, String node) {
        SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withField("spec.nodeName", node)
                .runnableInformer(0);
        informer.exceptionHandler((started, e) -> {
            LOG.warnf("cannot watch the pods of node %s (%s); retrying", node, e.getMessage());
            return true;
        });
        informer.start().whenComplete((ok, e) -> {
            if (e == null) {
                LOG.infof("watching the pods of node %s for their app, version and deployment labels", node);
            }
        });
        return new NodePods(informer);
    }

    @Override
    public Optional<PodIdentity> identity(String namespace, String pod) {
        Pod found = informer.getStore().getByKey(namespace + "/" + pod);
        if (found == null) {
            return Optional.empty();
        }
        Map<String, String> labels = found.getMetadata().getLabels();
        if (labels == null) {
            return Optional.of(new PodIdentity(null, null, null));
        }
        return Optional.of(new PodIdentity(labels.get(PodLabels.APP), labels.get(PodLabels.VERSION),
                labels.get(PodLabels.DEPLOYMENT_ID)));
    }

    /** Whether the first list of the node's pods arrived. */
    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public void close() {
        informer.close();
    }
}
