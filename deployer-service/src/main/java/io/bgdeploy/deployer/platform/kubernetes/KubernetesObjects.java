package io.bgdeploy.deployer.platform.kubernetes;

import io.bgdeploy.deployer.model.WorkloadSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure builders of the Kubernetes objects of an app: per version a Deployment and its versioned
 * Service {@code <appName>-<version>}; per app the stable Service {@code <appName>}, which selects
 * the pods of the version that serves.
 */
public final class KubernetesObjects {

    /** Marks the stable per-app Service, so it is never taken for a versioned one. */
    public static final String LABEL_ROLE = "bgdeploy.io/role";
    public static final String ROLE_STABLE_SERVICE = "stable-service";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesObjects() {
    }

    /** Labels that select the pods of one version. */
    public static Map<String, String> selector(WorkloadSpec spec) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(WorkloadSpec.LABEL_APP, spec.appName());
        s.put(WorkloadSpec.LABEL_VERSION, spec.version());
        return s;
    }

    public static Deployment deployment(WorkloadSpec spec) {
        PodSpec pod = SERIALIZATION.unmarshal(SERIALIZATION.asJson(spec.podspec()), PodSpec.class);
        for (Container c : pod.getContainers()) {
            List<EnvVar> env = new ArrayList<>();
            spec.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
            env.add(new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
                    .withFieldPath("metadata.name").endFieldRef().endValueFrom().build());
            if (c.getEnv() != null) {
                env.addAll(c.getEnv());
            }
            c.setEnv(env);
        }
        return new DeploymentBuilder()
                .withNewMetadata().withName(spec.name()).withNamespace(spec.namespace()).withLabels(spec.labels()).endMetadata()
                .withNewSpec().withReplicas(spec.replicas())
                .withNewSelector().withMatchLabels(selector(spec)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(spec.labels()).endMetadata().withSpec(pod).endTemplate()
                .endSpec().build();
    }

    public static Service service(WorkloadSpec spec) {
        return new ServiceBuilder()
                .withNewMetadata().withName(spec.name()).withNamespace(spec.namespace()).withLabels(spec.labels()).endMetadata()
                .withNewSpec().withSelector(selector(spec)).withPorts(ports(spec)).endSpec().build();
    }

    /** Labels of the stable Service of an app: no version, since the version it selects changes. */
    public static Map<String, String> stableServiceLabels(String appName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkloadSpec.LABEL_APP, appName);
        labels.put(WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY);
        labels.put(LABEL_ROLE, ROLE_STABLE_SERVICE);
        return labels;
    }

    /** The stable Service {@code <appName>}, selecting the pods of the serving version, with its ports. */
    public static Service stableService(WorkloadSpec serving) {
        return new ServiceBuilder()
                .withNewMetadata().withName(serving.appName()).withNamespace(serving.namespace())
                .withLabels(stableServiceLabels(serving.appName())).endMetadata()
                .withNewSpec().withSelector(selector(serving)).withPorts(ports(serving)).endSpec().build();
    }

    /**
     * A JSON patch (RFC 6902) that moves an existing stable Service to the serving version: its
     * {@code test} operations make the API server refuse it unless the Service is that app's stable
     * Service, so a Service of someone else that has the app's name is never taken over.
     */
    public static String stableServicePatch(WorkloadSpec serving) {
        List<Map<String, Object>> ops = new ArrayList<>();
        stableServiceLabels(serving.appName()).forEach((k, v) ->
                ops.add(Map.of("op", "test", "path", "/metadata/labels/" + pointerSegment(k), "value", v)));
        ops.add(Map.of("op", "add", "path", "/spec/selector", "value", selector(serving)));
        ops.add(Map.of("op", "add", "path", "/spec/ports", "value", ports(serving)));
        return SERIALIZATION.asJson(ops);
    }

    private static String pointerSegment(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** Whether a Service is the stable Service this deployer keeps for that app. */
    public static boolean isStableServiceOf(Service service, String appName) {
        Map<String, String> labels = service.getMetadata().getLabels();
        return labels != null && labels.entrySet().containsAll(stableServiceLabels(appName).entrySet());
    }

    /** Whether a Service is a versioned Service this deployer created (managed by it, not a stable one). */
    public static boolean isVersionedService(Service service) {
        Map<String, String> labels = service.getMetadata().getLabels();
        return labels != null && WorkloadSpec.MANAGED_BY.equals(labels.get(WorkloadSpec.LABEL_MANAGED_BY))
                && !ROLE_STABLE_SERVICE.equals(labels.get(LABEL_ROLE));
    }

    /** The version whose pods a Service selects, or null. */
    public static String selectedVersion(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector == null ? null : selector.get(WorkloadSpec.LABEL_VERSION);
    }

    private static List<ServicePort> ports(WorkloadSpec spec) {
        List<ServicePort> ports = new ArrayList<>();
        for (WorkloadSpec.PortSpec p : spec.ports()) {
            ports.add(new ServicePortBuilder().withName(p.name().isEmpty() ? "port-" + p.containerPort() : p.name())
                    .withPort(p.containerPort()).withNewTargetPort(p.containerPort()).build());
        }
        if (ports.isEmpty()) {
            ports.add(new ServicePortBuilder().withName("http").withPort(spec.servingPort())
                    .withNewTargetPort(spec.servingPort()).build());
        }
        return ports;
    }
}
