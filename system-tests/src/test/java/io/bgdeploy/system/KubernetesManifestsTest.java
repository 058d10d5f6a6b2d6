package io.bgdeploy.system;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads every manifest of deploy/kubernetes/ with the fabric8 model (as kubectl would see it) and
 * checks what an operator relies on: resources and health probes on every container, images
 * named with a version, settings that exist in the services' code, least-privilege RBAC, and
 * autoscalers, disruption budgets and services that point at real workloads.
 */
class KubernetesManifestsTest {

    static final String IMAGE_PREFIX = "registry.example.com/bgdeploy/";

    static Path root;
    static final List<HasMetadata> objects = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        root = DockerComposeFileTest.repositoryRoot();
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve("deploy/kubernetes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
                if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                    continue;
                }
                HasMetadata object = serialization.unmarshal(document, HasMetadata.class);
                assertThat(object).as("a typed Kubernetes object in %s:\n%s", file.getFileName(), document)
                        .isNotNull().isNotInstanceOf(GenericKubernetesResource.class);
                objects.add(object);
            }
        }
    }

    static <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())
                && Objects.equals(namespace, o.getMetadata().getNamespace())).findFirst();
    }

    /** Every pod template, by workload "Kind/name". */
    static Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> result = new LinkedHashMap<>();
        all(Deployment.class).forEach(d -> result.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(d -> result.put("DaemonSet/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        return result;
    }

    static String namespaceOf(String workload) {
        return objects.stream().filter(o -> workload.equals(o.getKind() + "/" + o.getMetadata().getName()))
                .findFirst().orElseThrow().getMetadata().getNamespace();
    }

    static List<Container> containers(PodSpec spec) {
        List<Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        return all;
    }

    /** The service module a container runs, from its image name. */
    static Optional<String> moduleOf(Container c) {
        if (!c.getImage().startsWith(IMAGE_PREFIX)) {
            return Optional.empty();
        }
        String rest = c.getImage().substring(IMAGE_PREFIX.length());
        return Optional.of(rest.substring(0, rest.indexOf(':')));
    }

    @Test
    void everyServiceModuleRunsAsADeploymentAndTheCollectorAsADaemonSet() {
        Set<String> modules = new TreeSet<>();
        for (Deployment d : all(Deployment.class)) {
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> moduleOf(c).ifPresent(modules::add));
        }
        assertThat(modules).containsExactlyInAnyOrderElementsOf(DockerComposeFileTest.SERVICE_MODULES);

        DaemonSet collector = find(DaemonSet.class, "bgdeploy", "log-collector").orElseThrow();
        PodSpec spec = collector.getSpec().getTemplate().getSpec();
        Container c = spec.getContainers().get(0);
        assertThat(moduleOf(c)).contains("log-shipper");
        assertThat(environment(c, "bgdeploy")).containsEntry("LOGSHIPPER_COLLECTOR_ENABLED", "true")
                .containsEntry("LOGSHIPPER_SHIPPER_ENABLED", "false");
        String logDirectory = environment(c, "bgdeploy").get("LOGSHIPPER_COLLECTOR_DIRECTORY");
        VolumeMount logs = mountAt(c, logDirectory);
        assertThat(logs.getReadOnly()).as("%s is mounted read-only", logDirectory).isTrue();
        assertThat(volume(spec, logs.getName()).getHostPath().getPath()).isEqualTo("/var/log/containers");
        Path positions = Path.of(environment(c, "bgdeploy").get("LOGSHIPPER_COLLECTOR_POSITIONS_FILE"));
        VolumeMount positionsMount = mountAt(c, positions.getParent().toString());
        assertThat(positionsMount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(volume(spec, positionsMount.getName()).getHostPath()).as("positions survive a restart on the node")
                .isNotNull();
    }

    @Test
    void everyContainerHasResourceRequestsAndLimits() {
        podTemplates().forEach((workload, template) -> {
            for (Container c : containers(template.getSpec())) {
                ResourceRequirements r = c.getResources();
                String what = workload + " container " + c.getName();
                assertThat(r).as(what).isNotNull();
                for (String resource : List.of("cpu", "memory")) {
                    Quantity request = r.getRequests() == null ? null : r.getRequests().get(resource);
                    Quantity limit = r.getLimits() == null ? null : r.getLimits().get(resource);
                    assertThat(request).as("%s requests %s", what, resource).isNotNull();
                    assertThat(limit).as("%s limits %s", what, resource).isNotNull();
                    assertThat(limit.getNumericalAmount()).as("%s: %s limit below its request", what, resource)
                            .isGreaterThanOrEqualTo(request.getNumericalAmount());
                }
            }
        });
    }

    @Test
    void everyContainerHasAVersionedImageAndHealthProbes() {
        podTemplates().forEach((workload, template) -> {
            for (Container c : template.getSpec().getContainers()) {
                String what = workload + " container " + c.getName();
                assertThat(c.getImage()).as("%s names its image with a tag", what).matches("[^:]+:[\\w.-]+")
                        .doesNotEndWith(":latest");
                assertThat(c.getLivenessProbe()).as("%s liveness probe", what).isNotNull();
                assertThat(c.getReadinessProbe()).as("%s readiness probe", what).isNotNull();
                if (moduleOf(c).isPresent()) {
                    assertHttpProbe(c, c.getLivenessProbe(), "/q/health/live", what);
                    assertHttpProbe(c, c.getReadinessProbe(), "/q/health/ready", what);
                }
            }
        });
    }

    private static void assertHttpProbe(Container c, Probe probe, String path, String what) {
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s probes %s over HTTP", what, path).isNotNull();
        assertThat(get.getPath()).as(what).isEqualTo(path);
        int port = resolvePort(c, get.getPort(), what);
        assertThat(port).as("%s probes the port the service listens on", what)
                .isEqualTo(DockerComposeFileTest.ServiceSettings.of(root, moduleOf(c).orElseThrow()).httpPort());
    }

    private static int resolvePort(Container c, IntOrString port, String what) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(what + " names a port '" + port.getStrVal() + "' it does not have"));
    }

    @Test
    void everySettingGivenToAServiceIsASettingOfItsCode() {
        podTemplates().forEach((workload, template) -> {
            String namespace = namespaceOf(workload);
            for (Container c : template.getSpec().getContainers()) {
                for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                    assertThat(from.getConfigMapRef()).as("%s env from a ConfigMap", workload).isNotNull();
                    assertThat(find(ConfigMap.class, namespace, from.getConfigMapRef().getName()))
                            .as("%s uses ConfigMap %s", workload, from.getConfigMapRef().getName()).isPresent();
                }
                Optional<String> module = moduleOf(c);
                if (module.isEmpty()) {
                    continue;
                }
                DockerComposeFileTest.ServiceSettings settings = DockerComposeFileTest.ServiceSettings.of(root, module.get());
                Map<String, String> env = environment(c, namespace);
                for (String variable : env.keySet()) {
                    assertThat(DockerComposeFileTest.IMAGE_VARIABLES.contains(variable) || settings.accepts(variable))
                            .as("%s container %s sets %s, which is no setting of %s", workload, c.getName(), variable, module.get())
                            .isTrue();
                }
                assertThat(env).as("%s container %s needs Kafka", workload, c.getName()).containsKey("KAFKA_BOOTSTRAP_SERVERS");
                if (settings.accepts("BGDEPLOY_ETCD_ENDPOINTS") && !module.get().equals("log-shipper")) {
                    assertThat(env).as("%s container %s needs etcd", workload, c.getName()).containsKey("BGDEPLOY_ETCD_ENDPOINTS");
                }
            }
        });
    }

    /** Env of a container: its ConfigMaps (in order) then its own env entries. */
    static Map<String, String> environment(Container c, String namespace) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                find(ConfigMap.class, namespace, from.getConfigMapRef().getName())
                        .ifPresent(cm -> env.putAll(cm.getData()));
            }
        }
        for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            env.put(v.getName(), v.getValue() == null ? "<from " + v.getValueFrom() + ">" : v.getValue());
        }
        return env;
    }

    @Test
    void rbacGrantsOnlyWhatEachServiceCalls() {
        for (HasMetadata role : objects) {
            for (PolicyRule rule : rules(role)) {
                assertThat(rule.getVerbs()).as("verbs of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getResources()).as("resources of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getApiGroups()).as("API groups of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getNonResourceURLs()).as("non-resource URLs of %s", role.getMetadata().getName()).isNullOrEmpty();
            }
        }
        Map<String, Set<String>> deployer = grants(roleOf("deployer-service"));
        assertThat(deployer).containsOnlyKeys("apps/deployments", "apps/deployments/scale", "/services", "/pods");
        assertThat(deployer.get("apps/deployments")).contains("get", "list", "create", "delete").doesNotContain("deletecollection");
        assertThat(deployer.get("apps/deployments/scale")).contains("update").doesNotContain("delete", "create");
        assertThat(deployer.get("/services")).containsExactlyInAnyOrder("get", "create", "patch", "delete");
        assertThat(deployer.get("/pods")).containsExactlyInAnyOrder("get", "list", "watch");

        Map<String, Set<String>> health = grants(roleOf("health-service"));
        assertThat(health).containsOnlyKeys("/nodes", "/pods");
        health.values().forEach(verbs -> assertThat(verbs).containsExactlyInAnyOrder("get", "list", "watch"));
    }

    @Test
    void podsThatDoNotCallTheApiGetNoToken() {
        Set<String> bound = new HashSet<>();
        for (HasMetadata binding : objects) {
            subjects(binding).stream().filter(s -> "ServiceAccount".equals(s.getKind()))
                    .forEach(s -> bound.add(s.getNamespace() + "/" + s.getName()));
        }
        podTemplates().forEach((workload, template) -> {
            PodSpec spec = template.getSpec();
            String sa = spec.getServiceAccountName();
            assertThat(sa).as("%s names its ServiceAccount", workload).isNotNull();
            String namespace = namespaceOf(workload);
            ServiceAccount account = find(ServiceAccount.class, namespace, sa).orElseThrow(
                    () -> new AssertionError(workload + " uses ServiceAccount " + sa + ", which is not defined"));
            if (!bound.contains(namespace + "/" + sa)) {
                assertThat(Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())
                        || Boolean.FALSE.equals(account.getAutomountServiceAccountToken()))
                        .as("%s has no role, so it mounts no API token", workload).isTrue();
            }
        });
        for (HasMetadata binding : objects) {
            RoleRef ref = roleRef(binding);
            if (ref == null) {
                continue;
            }
            Class<? extends HasMetadata> kind = "ClusterRole".equals(ref.getKind()) ? ClusterRole.class : Role.class;
            String ns = kind == ClusterRole.class ? null : binding.getMetadata().getNamespace();
            assertThat(find(kind, ns, ref.getName())).as("%s refers to %s %s", binding.getMetadata().getName(),
                    ref.getKind(), ref.getName()).isPresent();
            for (Subject s : subjects(binding)) {
                assertThat(find(ServiceAccount.class, s.getNamespace(), s.getName()))
                        .as("%s binds ServiceAccount %s/%s", binding.getMetadata().getName(), s.getNamespace(), s.getName())
                        .isPresent();
            }
        }
    }

    @Test
    void autoscalersAndDisruptionBudgetsPointAtRealWorkloads() {
        assertThat(all(HorizontalPodAutoscaler.class)).isNotEmpty();
        for (HorizontalPodAutoscaler hpa : all(HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            assertThat(ref.getKind()).isEqualTo("Deployment");
            assertThat(ref.getApiVersion()).isEqualTo("apps/v1");
            Deployment target = find(Deployment.class, hpa.getMetadata().getNamespace(), ref.getName()).orElseThrow(
                    () -> new AssertionError("HPA " + hpa.getMetadata().getName() + " scales Deployment " + ref.getName()
                            + ", which is not defined"));
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
            assertThat(target.getSpec().getTemplate().getSpec().getContainers())
                    .as("the HPA of %s scales on CPU, so every container requests CPU", ref.getName())
                    .allSatisfy(c -> assertThat(c.getResources().getRequests()).containsKey("cpu"));
        }
        Set<String> scaled = new TreeSet<>();
        all(HorizontalPodAutoscaler.class).forEach(h -> scaled.add(h.getSpec().getScaleTargetRef().getName()));
        assertThat(scaled).as("every Deployment scales horizontally")
                .containsExactlyInAnyOrderElementsOf(all(Deployment.class).stream().map(d -> d.getMetadata().getName()).toList());

        assertThat(all(PodDisruptionBudget.class)).isNotEmpty();
        for (PodDisruptionBudget pdb : all(PodDisruptionBudget.class)) {
            Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
            List<Deployment> selected = all(Deployment.class).stream()
                    .filter(d -> Objects.equals(d.getMetadata().getNamespace(), pdb.getMetadata().getNamespace()))
                    .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as("PDB %s selects the pods of a Deployment", pdb.getMetadata().getName()).hasSize(1);
            int replicas = selected.get(0).getSpec().getReplicas();
            assertThat(pdb.getSpec().getMinAvailable().getIntVal()).as("PDB %s leaves room to drain a node", pdb.getMetadata().getName())
                    .isLessThan(replicas);
        }
    }

    @Test
    void servicesSelectPodsAndNamedPortsTheyHave() {
        for (Service service : all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            List<PodTemplateSpec> selected = podTemplates().entrySet().stream()
                    .filter(e -> Objects.equals(namespaceOf(e.getKey()), service.getMetadata().getNamespace()))
                    .map(Map.Entry::getValue)
                    .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(selected).as("Service %s selects pods", service.getMetadata().getName()).isNotEmpty();
            for (ServicePort port : service.getSpec().getPorts()) {
                Set<String> named = new TreeSet<>();
                selected.forEach(t -> t.getSpec().getContainers().forEach(c -> c.getPorts().forEach(p -> named.add(p.getName()))));
                assertThat(named).as("Service %s targets port %s", service.getMetadata().getName(), port.getTargetPort().getStrVal())
                        .contains(port.getTargetPort().getStrVal());
            }
        }
    }

    @Test
    void haproxyRunsWithTheAgentAsASidecarSharingConfigAndMasterSocket() {
        Deployment haproxy = find(Deployment.class, "bgdeploy", "haproxy").orElseThrow();
        PodSpec spec = haproxy.getSpec().getTemplate().getSpec();
        Container proxy = spec.getContainers().stream().filter(c -> c.getImage().startsWith("haproxy:")).findFirst().orElseThrow();
        Container agent = spec.getContainers().stream().filter(c -> moduleOf(c).filter("lb-config-service"::equals).isPresent())
                .findFirst().orElseThrow();
        Map<String, String> env = environment(agent, "bgdeploy");
        assertThat(env).containsEntry("LBCONFIG_AGENT_ENABLED", "true").containsEntry("LBCONFIG_AGENT_HAPROXY_START", "false");
        String config = env.get("LBCONFIG_AGENT_HAPROXY_CONFIG_FILE");
        String socket = env.get("LBCONFIG_AGENT_HAPROXY_MASTER_SOCKET");
        String directory = Path.of(config).getParent().toString();
        assertThat(Path.of(socket).getParent()).hasToString(directory);
        assertThat(mountAt(agent, directory).getName()).isEqualTo(mountAt(proxy, directory).getName());
        String command = String.join(" ", Optional.ofNullable(proxy.getCommand()).orElse(List.of())) + " "
                + String.join(" ", Optional.ofNullable(proxy.getArgs()).orElse(List.of()));
        assertThat(command).contains("-W", "-S " + socket, "-f " + config);
        int publicPort = Integer.parseInt(env.get("LBCONFIG_AGENT_HAPROXY_PUBLIC_PORT"));
        assertThat(proxy.getPorts()).extracting(ContainerPort::getContainerPort).contains(publicPort,
                Integer.parseInt(env.get("LBCONFIG_AGENT_HAPROXY_STATS_PORT")));
        assertThat(agent.getPorts()).extracting(ContainerPort::getContainerPort)
                .contains(DockerComposeFileTest.ServiceSettings.of(root, "lb-config-service").httpPort());
    }

    // --- helpers

    private static VolumeMount mountAt(Container c, String path) {
        return Optional.ofNullable(c.getVolumeMounts()).orElse(List.of()).stream()
                .filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("container " + c.getName() + " mounts nothing at " + path));
    }

    private static Volume volume(PodSpec spec, String name) {
        return spec.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<PolicyRule> rules(HasMetadata o) {
        if (o instanceof ClusterRole r) {
            return r.getRules();
        }
        if (o instanceof Role r) {
            return r.getRules();
        }
        return List.of();
    }

    private static List<Subject> subjects(HasMetadata o) {
        if (o instanceof ClusterRoleBinding b) {
            return b.getSubjects();
        }
        if (o instanceof RoleBinding b) {
            return b.getSubjects().stream().map(s -> s.getNamespace() == null
                    ? new Subject(s.getApiGroup(), s.getKind(), s.getName(), b.getMetadata().getNamespace()) : s).toList();
        }
        return List.of();
    }

    private static RoleRef roleRef(HasMetadata o) {
        if (o instanceof ClusterRoleBinding b) {
            return b.getRoleRef();
        }
        if (o instanceof RoleBinding b) {
            return b.getRoleRef();
        }
        return null;
    }

    /** Every role bound to the ServiceAccount of the service module's Deployment. */
    private static List<HasMetadata> roleOf(String module) {
        Deployment d = all(Deployment.class).stream().filter(x -> x.getSpec().getTemplate().getSpec().getContainers().stream()
                .anyMatch(c -> moduleOf(c).filter(module::equals).isPresent())).findFirst().orElseThrow();
        String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();
        List<HasMetadata> roles = new ArrayList<>();
        for (HasMetadata binding : objects) {
            boolean bindsIt = subjects(binding).stream().anyMatch(s -> sa.equals(s.getName())
                    && Objects.equals(d.getMetadata().getNamespace(), s.getNamespace()));
            RoleRef ref = roleRef(binding);
            if (bindsIt && ref != null) {
                if ("ClusterRole".equals(ref.getKind())) {
                    find(ClusterRole.class, null, ref.getName()).ifPresent(roles::add);
                } else {
                    find(Role.class, binding.getMetadata().getNamespace(), ref.getName()).ifPresent(roles::add);
                }
            }
        }
        assertThat(roles).as("roles of %s", module).isNotEmpty();
        return roles;
    }

    /** "apiGroup/resource" -> verbs, over all rules of the roles. */
    private static Map<String, Set<String>> grants(List<HasMetadata> roles) {
        Map<String, Set<String>> result = new LinkedHashMap<>();
        for (HasMetadata role : roles) {
            for (PolicyRule rule : rules(role)) {
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        result.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
                    }
                }
            }
        }
        return result;
    }
}
