package io.bgdeploy.deployer.platform.kubernetes;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workloads as Kubernetes Deployments with a versioned Service, in the descriptor's namespace, and
 * per app a stable Service that selects the pods of the serving version. Pods are followed with an
 * informer per workload: running with an IP is reported once, a growing restart count as a
 * restart, a deletion as gone.
 */
public final class KubernetesPlatform implements Platform {

    private static final Logger LOG = Logger.getLogger(KubernetesPlatform.class);

    private final KubernetesClient client;
    private final Map<String, Watched> informers = new ConcurrentHashMap<>();

    public KubernetesPlatform(KubernetesClient client) {
        this.client = client;
    }

    /** An informer and what it reported. */
    private static final class Watched {
        private final SharedIndexInformer<Pod> informer;
        private final Set<String> reported = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
        private volatile PodListener listener;

        private Watched(SharedIndexInformer<Pod> informer, PodListener listener) {
            this.informer = informer;
            this.listener = listener;
        }
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** Refuses an app whose stable Service name is taken by a Service that is not that app's stable Service. */
    @Override
    public List<String> check(WorkloadSpec spec) {
        Service existing;
        try {
            existing = client.services().inNamespace(spec.namespace()).withName(spec.appName()).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot check whether Service %s in %s is free (%s): the deployment will find out",
                    spec.appName(), spec.namespace(), e.getMessage());
            return List.of();
        }
        if (existing != null && !KubernetesObjects.isStableServiceOf(existing, spec.appName())) {
            return List.of("appName: Service " + spec.appName() + " in namespace " + spec.namespace()
                    + " exists and is not the stable Service this deployer keeps for app " + spec.appName()
                    + " (labels " + KubernetesObjects.stableServiceLabels(spec.appName())
                    + "): rename the app, or delete or rename that Service");
        }
        return List.of();
    }

    @Override
    public void create(WorkloadSpec spec, PodListener listener) {
        client.apps().deployments().inNamespace(spec.namespace()).resource(KubernetesObjects.deployment(spec)).create();
        client.services().inNamespace(spec.namespace()).resource(KubernetesObjects.service(spec)).create();
        watch(spec.namespace(), spec.name(), KubernetesObjects.selector(spec), listener);
    }

    @Override
    public void attach(String namespace, String workloadName, PodListener listener) {
        var deployment = client.apps().deployments().inNamespace(namespace).withName(workloadName).get();
        if (deployment == null) {
            return;
        }
        Watched existing = informers.get(key(namespace, workloadName));
        if (existing != null) {
            existing.listener = listener;
            return;
        }
        watch(namespace, workloadName, deployment.getSpec().getSelector().getMatchLabels(), listener);
    }

    private void watch(String namespace, String name, Map<String, String> selector, PodListener listener) {
        Watched[] holder = new Watched[1];
        SharedIndexInformer<Pod> informer = client.pods().inNamespace(namespace).withLabels(selector)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        seen(holder[0], pod);
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod pod) {
                        seen(holder[0], pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        Watched w = holder[0];
                        if (w != null && w.reported.remove(pod.getMetadata().getName())) {
                            w.listener.podGone(pod.getMetadata().getName(), "deleted");
                        }
                    }
                });
        Watched w = new Watched(informer, listener);
        holder[0] = w;
        informers.put(key(namespace, name), w);
        informer.getStore().list().forEach(p -> seen(w, p));
    }

    private void seen(Watched w, Pod pod) {
        if (w == null || pod.getStatus() == null) {
            return;
        }
        String name = pod.getMetadata().getName();
        if (isRunning(pod) && w.reported.add(name)) {
            w.listener.podRunning(info(pod));
        }
        int restarts = 0;
        String reason = null;
        String container = null;
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses() == null ? List.<ContainerStatus>of()
                : pod.getStatus().getContainerStatuses()) {
            restarts += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
            if (cs.getLastState() != null && cs.getLastState().getTerminated() != null) {
                reason = cs.getLastState().getTerminated().getReason() + " (exit "
                        + cs.getLastState().getTerminated().getExitCode() + ")";
                container = cs.getName();
            }
        }
        Integer before = w.restarts.put(name, restarts);
        if (restarts > 0 && (before == null || restarts > before) && w.reported.contains(name)) {
            w.listener.podRestarted(info(pod), container == null ? "" : container, restarts, reason);
        }
    }

    private static boolean isRunning(Pod pod) {
        return "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getPodIP() != null
                && pod.getMetadata().getDeletionTimestamp() == null;
    }

    private static PodInfo info(Pod pod) {
        return new PodInfo(pod.getMetadata().getName(), pod.getStatus().getPodIP(), Map.of(), pod.getSpec().getNodeName());
    }

    @Override
    public List<PodInfo> pods(String namespace, String workloadName) {
        var deployment = client.apps().deployments().inNamespace(namespace).withName(workloadName).get();
        if (deployment == null) {
            return List.of();
        }
        List<PodInfo> result = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(namespace).withLabels(deployment.getSpec().getSelector().getMatchLabels())
                .list().getItems()) {
            if (isRunning(pod)) {
                result.add(info(pod));
            }
        }
        return result;
    }

    @Override
    public boolean exists(String namespace, String workloadName) {
        return client.apps().deployments().inNamespace(namespace).withName(workloadName).get() != null;
    }

    @Override
    public void scale(String namespace, String workloadName, int replicas) {
        if (exists(namespace, workloadName)) {
            client.apps().deployments().inNamespace(namespace).withName(workloadName).scale(replicas);
        }
    }

    @Override
    public void delete(String namespace, String workloadName) {
        Watched w = informers.remove(key(namespace, workloadName));
        if (w != null) {
            w.informer.close();
        }
        client.apps().deployments().inNamespace(namespace).withName(workloadName).delete();
        var service = client.services().inNamespace(namespace).withName(workloadName);
        Service existing = service.get();
        if (existing != null && KubernetesObjects.isVersionedService(existing)) {
            service.lockResourceVersion(existing.getMetadata().getResourceVersion()).delete();
            LOG.infof("deleted Deployment and Service %s in %s", workloadName, namespace);
        } else {
            LOG.infof("deleted Deployment %s in %s (Service %s is no versioned Service of this deployer: kept)",
                    workloadName, namespace, workloadName);
        }
    }

    /**
     * Creates the stable Service {@code <appName>} selecting this version's pods, or, when it exists,
     * patches its selector and ports in one JSON patch that the API server applies only if the
     * Service still is that app's stable Service.
     */
    @Override
    public boolean routeStable(WorkloadSpec serving) {
        String patch = KubernetesObjects.stableServicePatch(serving);
        try {
            client.services().inNamespace(serving.namespace()).resource(KubernetesObjects.stableService(serving))
                    .createOr(existing -> existing.patch(PatchContext.of(PatchType.JSON), patch));
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("Service " + serving.appName() + " in namespace " + serving.namespace()
                    + " could not be made to select version " + serving.version() + " (" + e.getMessage()
                    + "); if it exists and is not this deployer's stable Service of the app (labels "
                    + KubernetesObjects.stableServiceLabels(serving.appName()) + "), delete or rename it", e);
        }
        LOG.infof("Service %s in %s selects version %s", serving.appName(), serving.namespace(), serving.version());
        return true;
    }

    /** Deletes the stable Service if it is the app's and selects that version, unless it changed since it was read. */
    @Override
    public boolean removeStable(String namespace, String appName, String version) {
        var service = client.services().inNamespace(namespace).withName(appName);
        Service existing = service.get();
        if (existing == null || !KubernetesObjects.isStableServiceOf(existing, appName)
                || !version.equals(KubernetesObjects.selectedVersion(existing))) {
            return false;
        }
        try {
            service.lockResourceVersion(existing.getMetadata().getResourceVersion()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.infof("Service %s in %s changed while being removed: kept", appName, namespace);
                return false;
            }
            throw e;
        }
        LOG.infof("deleted Service %s in %s (it selected version %s)", appName, namespace, version);
        return true;
    }

    @Override
    public List<String> workloads(String namespace, String appName) {
        return client.apps().deployments().inNamespace(namespace)
                .withLabel(WorkloadSpec.LABEL_APP, appName)
                .withLabel(WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY)
                .list().getItems().stream().map(d -> d.getMetadata().getName()).toList();
    }

    @Override
    public List<WorkloadRef> managedWorkloads() {
        return client.apps().deployments().inAnyNamespace()
                .withLabel(WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY)
                .list().getItems().stream()
                .map(d -> new WorkloadRef(d.getMetadata().getNamespace(), d.getMetadata().getName())).toList();
    }
}
