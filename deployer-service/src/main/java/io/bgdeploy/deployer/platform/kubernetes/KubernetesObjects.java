package io.bgdeploy.deployer.platform.kubernetes;

import io.bgdeploy.deployer.platform.WorkloadSpec;
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

/** Pure builders of the Kubernetes objects for a workload: a Deployment and its versioned Service. */
public final class KubernetesObjects {

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
        List<ServicePort> ports = new ArrayList<>();
        for (WorkloadSpec.PortSpec p : spec.ports()) {
            ports.add(new ServicePortBuilder().withName(p.name().isEmpty() ? "port-" + p.containerPort() : p.name())
                    .withPort(p.containerPort()).withNewTargetPort(p.containerPort()).build());
        }
        if (ports.isEmpty()) {
            ports.add(new ServicePortBuilder().withName("http").withPort(spec.servingPort())
                    .withNewTargetPort(spec.servingPort()).build());
        }
        return new ServiceBuilder()
                .withNewMetadata().withName(spec.name()).withNamespace(spec.namespace()).withLabels(spec.labels()).endMetadata()
                .withNewSpec().withSelector(selector(spec)).withPorts(ports).endSpec().build();
    }
}
