package io.bgdeploy.system;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
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
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders every overlay of deploy/kubernetes with {@code kubectl kustomize} and loads the output
 * with the fabric8 model (as kubectl apply would see it), then checks what an operator relies on:
 * resources and health probes on every container, images set by the overlay with a version,
 * settings that exist in the services' code, least-privilege RBAC, the recommended labels, and
 * autoscalers, disruption budgets and services that point at real workloads.
 */
class KubernetesManifestsTest {

    static Path root;
    static List<RenderedManifests> overlays;

    @BeforeAll
    static void render() {
        root = DockerComposeFileTest.repositoryRoot();
        overlays = RenderedManifests.overlays(root);
    }

    static List<RenderedManifests> overlays() {
        return overlays;
    }

    @Test
    void theOverlaysAreProductionAndDev() {
        assertThat(overlays).extracting(RenderedManifests::overlay).contains("production", "dev");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyServiceModuleRunsAsADeploymentAndTheCollectorAsADaemonSet(RenderedManifests m) {
        Set<String> modules = new TreeSet<>();
        for (Deployment d : m.all(Deployment.class)) {
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> RenderedManifests.moduleOf(c).ifPresent(modules::add));
        }
        assertThat(modules).containsExactlyInAnyOrderElementsOf(DockerComposeFileTest.SERVICE_MODULES);

        DaemonSet collector = m.find(DaemonSet.class, "bgdeploy", "log-collector").orElseThrow();
        PodSpec spec = collector.getSpec().getTemplate().getSpec();
        Container c = spec.getContainers().get(0);
        assertThat(RenderedManifests.moduleOf(c)).contains("log-shipper");
        assertThat(environment(m, c, "bgdeploy")).containsEntry("LOGSHIPPER_COLLECTOR_ENABLED", "true")
                .containsEntry("LOGSHIPPER_SHIPPER_ENABLED", "false");
        String logDirectory = environment(m, c, "bgdeploy").get("LOGSHIPPER_COLLECTOR_DIRECTORY");
        VolumeMount logs = mountAt(c, logDirectory);
        assertThat(logs.getReadOnly()).as("%s is mounted read-only", logDirectory).isTrue();
        assertThat(volume(spec, logs.getName()).getHostPath().getPath()).isEqualTo("/var/log/containers");
        Path positions = Path.of(environment(m, c, "bgdeploy").get("LOGSHIPPER_COLLECTOR_POSITIONS_FILE"));
        VolumeMount positionsMount = mountAt(c, positions.getParent().toString());
        assertThat(positionsMount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(volume(spec, positionsMount.getName()).getHostPath()).as("positions survive a restart on the node")
                .isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyContainerHasResourceRequestsAndLimits(RenderedManifests m) {
        m.podTemplates().forEach((workload, template) -> {
            for (Container c : RenderedManifests.containers(template.getSpec())) {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyContainerHasAVersionedImageAndHealthProbes(RenderedManifests m) {
        m.podTemplates().forEach((workload, template) -> {
            for (Container c : template.getSpec().getContainers()) {
                String what = workload + " container " + c.getName();
                assertThat(c.getImage()).as("%s names its image with a tag", what).isNotEqualTo(RenderedManifests.repository(c.getImage()))
                        .matches(".*:[\\w.-]+").doesNotEndWith(":latest");
                assertThat(c.getLivenessProbe()).as("%s liveness probe", what).isNotNull();
                assertThat(c.getReadinessProbe()).as("%s readiness probe", what).isNotNull();
                if (RenderedManifests.moduleOf(c).isPresent()) {
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
                .isEqualTo(DockerComposeFileTest.ServiceSettings.of(root, RenderedManifests.moduleOf(c).orElseThrow()).httpPort());
    }

    private static int resolvePort(Container c, IntOrString port, String what) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(what + " names a port '" + port.getStrVal() + "' it does not have"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everySettingGivenToAServiceIsASettingOfItsCode(RenderedManifests m) {
        m.podTemplates().forEach((workload, template) -> {
            String namespace = m.namespaceOf(workload);
            for (Container c : template.getSpec().getContainers()) {
                for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                    assertThat(from.getConfigMapRef()).as("%s env from a ConfigMap", workload).isNotNull();
                    assertThat(m.find(ConfigMap.class, namespace, from.getConfigMapRef().getName()))
                            .as("%s uses ConfigMap %s", workload, from.getConfigMapRef().getName()).isPresent();
                }
                Optional<String> module = RenderedManifests.moduleOf(c);
                if (module.isEmpty()) {
                    continue;
                }
                DockerComposeFileTest.ServiceSettings settings = DockerComposeFileTest.ServiceSettings.of(root, module.get());
                Map<String, String> env = environment(m, c, namespace);
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
    static Map<String, String> environment(RenderedManifests m, Container c, String namespace) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                m.find(ConfigMap.class, namespace, from.getConfigMapRef().getName())
                        .ifPresent(cm -> env.putAll(cm.getData()));
            }
        }
        for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            env.put(v.getName(), v.getValue() == null ? "<from " + v.getValueFrom() + ">" : v.getValue());
        }
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void rbacGrantsOnlyWhatEachServiceCalls(RenderedManifests m) {
        for (HasMetadata role : m.objects()) {
            for (PolicyRule rule : rules(role)) {
                assertThat(rule.getVerbs()).as("verbs of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getResources()).as("resources of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getApiGroups()).as("API groups of %s", role.getMetadata().getName()).doesNotContain("*");
                assertThat(rule.getNonResourceURLs()).as("non-resource URLs of %s", role.getMetadata().getName()).isNullOrEmpty();
            }
        }
        Map<String, Set<String>> deployer = grants(roleOf(m, "deployer-service"));
        assertThat(deployer).containsOnlyKeys("apps/deployments", "apps/deployments/scale", "/services", "/pods");
        assertThat(deployer.get("apps/deployments")).contains("get", "list", "create", "delete").doesNotContain("deletecollection");
        assertThat(deployer.get("apps/deployments/scale")).contains("update").doesNotContain("delete", "create");
        assertThat(deployer.get("/services")).containsExactlyInAnyOrder("get", "create", "patch", "delete");
        assertThat(deployer.get("/pods")).containsExactlyInAnyOrder("list", "watch");

        Map<String, Set<String>> health = grants(roleOf(m, "health-service"));
        assertThat(health).containsOnlyKeys("/nodes", "/pods");
        health.values().forEach(verbs -> assertThat(verbs).containsExactlyInAnyOrder("get", "list", "watch"));
    }

    /**
     * log-shipper: the collector may read pods (the labels of its node's pods) and nothing else, the
     * shipper calls no API; container-logs takes the collector's largest record, and the shipper
     * sends to a GELF HTTP input, where the content pack puts it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theCollectorReadsPodsTheLogTopicTakesItsRecordsAndTheShipperSendsOverHttp(RenderedManifests m) {
        DaemonSet collector = m.find(DaemonSet.class, "bgdeploy", "log-collector").orElseThrow();
        String account = collector.getSpec().getTemplate().getSpec().getServiceAccountName();
        List<HasMetadata> roles = new ArrayList<>();
        for (HasMetadata binding : m.objects()) {
            if (subjects(binding).stream().anyMatch(s -> account.equals(s.getName()) && "bgdeploy".equals(s.getNamespace()))) {
                roles.addAll(roleBoundBy(m, binding));
            }
        }
        assertThat(grants(roles)).containsOnlyKeys("/pods");
        assertThat(grants(roles).get("/pods")).containsExactlyInAnyOrder("get", "list", "watch");
        Map<String, String> collectorEnv = environment(m, collector.getSpec().getTemplate().getSpec().getContainers().get(0), "bgdeploy");
        assertThat(collectorEnv).containsEntry("LOGSHIPPER_COLLECTOR_KUBERNETES_ENABLED", "true");
        assertThat(m.deploymentOf("log-shipper").getSpec().getTemplate().getSpec().getServiceAccountName())
                .as("the shipper calls no API").isNotEqualTo(account);

        String limit = collectorEnv.get("LOGSHIPPER_COLLECTOR_MAX_RECORD_BYTES");
        assertThat(Integer.parseInt(limit)).as("the collector's record limit").isEqualTo(GraylogContentPackTest.logShipperDefault("maxRecordBytes"));
        Job topics = m.find(Job.class, "bgdeploy", "log-topics").orElseThrow();
        Container job = topics.getSpec().getTemplate().getSpec().getContainers().get(0);
        EnvVar bytes = job.getEnv().stream().filter(e -> e.getName().equals("MAX_RECORD_BYTES")).findFirst().orElseThrow();
        assertThat(bytes.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo("log-collector");
        assertThat(bytes.getValueFrom().getConfigMapKeyRef().getKey()).isEqualTo("LOGSHIPPER_COLLECTOR_MAX_RECORD_BYTES");
        assertThat(String.join("\n", job.getArgs())).contains("for topic in container-logs container-logs-dlq",
                "--config max.message.bytes=\"$bytes\"", "--add-config max.message.bytes=\"$bytes\"", "bytes=\"$MAX_RECORD_BYTES\"");
        assertThat(job.getImage()).isEqualTo("apache/kafka:" + DockerComposeFileTest.rootProperty(root, "kafka.version"));

        Container shipper = m.deploymentOf("log-shipper").getSpec().getTemplate().getSpec().getContainers().get(0);
        java.net.URI gelf = java.net.URI.create(environment(m, shipper, "bgdeploy").get("GRAYLOG_GELF_URL"));
        assertThat(gelf.getScheme()).as("GELF over HTTP, the transport that proves delivery").isEqualTo("http");
        assertThat(gelf.getPath()).isEqualTo("/gelf");
        assertThat(gelf.getPort()).as("the port of the content pack's input").isEqualTo(GraylogContentPackTest.gelfHttpPort());
        long memoryLimit = shipper.getResources().getLimits().get("memory").getNumericalAmount().longValueExact();
        long heapPercent = Long.parseLong(environment(m, shipper, "bgdeploy").get("JAVA_MAX_MEM_RATIO"));
        assertThat(memoryLimit * heapPercent / 100).as("the shipper's heap, the 256 MiB its benchmark is measured with")
                .isLessThanOrEqualTo(DockerComposeFileTest.SHIPPER_MAX_HEAP_BYTES);
    }

    /**
     * The deployer creates workloads, so it can run any pod: its write rights are bound per app
     * namespace (RoleBindings), never cluster-wide and never in the suite's own namespace.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theDeployerChangesWorkloadsOnlyInTheNamespacesBoundToIt(RenderedManifests m) {
        Deployment deployer = m.deploymentOf("deployer-service");
        String account = deployer.getSpec().getTemplate().getSpec().getServiceAccountName();
        String suite = deployer.getMetadata().getNamespace();
        Set<String> appNamespaces = new TreeSet<>();
        for (HasMetadata binding : m.objects()) {
            boolean bindsDeployer = subjects(binding).stream().anyMatch(s -> account.equals(s.getName()) && suite.equals(s.getNamespace()));
            if (!bindsDeployer) {
                continue;
            }
            Set<String> verbs = new TreeSet<>();
            grants(roleBoundBy(m, binding)).values().forEach(verbs::addAll);
            if (binding instanceof ClusterRoleBinding) {
                assertThat(verbs).as("cluster-wide rights of the deployer (%s)", binding.getMetadata().getName())
                        .isSubsetOf("get", "list", "watch");
            } else {
                String namespace = binding.getMetadata().getNamespace();
                assertThat(namespace).as("the deployer's rights to change workloads in the suite's own namespace")
                        .isNotIn(suite, "kube-system");
                appNamespaces.add(namespace);
            }
        }
        assertThat(appNamespaces).as("namespaces the deployer may deploy to").isNotEmpty();
    }

    /** The recommended labels on every object, and selectors that only use the one label that never changes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyObjectCarriesTheRecommendedLabels(RenderedManifests m) {
        for (HasMetadata o : m.objects()) {
            String what = o.getKind() + "/" + o.getMetadata().getName();
            Map<String, String> labels = o.getMetadata().getLabels();
            assertThat(labels).as("labels of %s", what)
                    .containsKey("app.kubernetes.io/name")
                    .containsEntry("app.kubernetes.io/part-of", "bgdeploy")
                    .containsEntry("app.kubernetes.io/managed-by", "kustomize")
                    .containsEntry("app.kubernetes.io/instance", "bgdeploy-" + m.overlay());
            if (!"Namespace".equals(o.getKind())) {
                assertThat(labels).as("labels of %s", what).containsKey("app.kubernetes.io/component");
            }
            assertThat(labels.keySet()).as("labels of %s", what).allMatch(k -> k.startsWith("app.kubernetes.io/"));
        }
        m.podTemplates().forEach((workload, template) -> {
            Map<String, String> labels = template.getMetadata().getLabels();
            assertThat(labels).as("pod labels of %s", workload).containsKeys("app.kubernetes.io/name",
                    "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/instance");
        });
        List<Map<String, String>> selectors = new ArrayList<>();
        m.all(Deployment.class).forEach(d -> selectors.add(d.getSpec().getSelector().getMatchLabels()));
        m.all(DaemonSet.class).forEach(d -> selectors.add(d.getSpec().getSelector().getMatchLabels()));
        m.all(PodDisruptionBudget.class).forEach(p -> selectors.add(p.getSpec().getSelector().getMatchLabels()));
        m.all(Service.class).forEach(s -> selectors.add(s.getSpec().getSelector()));
        assertThat(selectors).allSatisfy(selector -> assertThat(selector).containsOnlyKeys("app.kubernetes.io/name"));
    }

    /** The RBAC of the services is defined once, in deploy/kubernetes, and no other file defines a role. */
    @Test
    void rolesAreDefinedOnlyInTheKubernetesManifests() throws IOException {
        List<Path> roleFiles = new ArrayList<>();
        Set<String> skipped = Set.of("target", ".git", "node_modules", ".suite");
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                boolean skip = skipped.contains(dir.getFileName().toString()) || dir.equals(root.resolve("deploy/kubernetes"));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.getFileName().toString().matches(".*\\.ya?ml") && definesARole(file)) {
                    roleFiles.add(root.relativize(file));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        assertThat(roleFiles).as("files outside deploy/kubernetes that define RBAC roles").isEmpty();
        for (RenderedManifests m : overlays) {
            Set<String> names = new HashSet<>();
            for (HasMetadata role : m.objects()) {
                if (role instanceof ClusterRole || role instanceof Role) {
                    assertThat(names.add(role.getKind() + "/" + role.getMetadata().getNamespace() + "/" + role.getMetadata().getName()))
                            .as("%s defined twice in %s", role.getMetadata().getName(), m.overlay()).isTrue();
                }
            }
        }
    }

    private static boolean definesARole(Path file) {
        try {
            return Files.readString(file).lines().anyMatch(l -> l.matches("kind:\\s*(Cluster)?Role\\s*"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void podsThatDoNotCallTheApiGetNoToken(RenderedManifests m) {
        Set<String> bound = new HashSet<>();
        for (HasMetadata binding : m.objects()) {
            subjects(binding).stream().filter(s -> "ServiceAccount".equals(s.getKind()))
                    .forEach(s -> bound.add(s.getNamespace() + "/" + s.getName()));
        }
        m.podTemplates().forEach((workload, template) -> {
            PodSpec spec = template.getSpec();
            String sa = spec.getServiceAccountName();
            assertThat(sa).as("%s names its ServiceAccount", workload).isNotNull();
            String namespace = m.namespaceOf(workload);
            ServiceAccount account = m.find(ServiceAccount.class, namespace, sa).orElseThrow(
                    () -> new AssertionError(workload + " uses ServiceAccount " + sa + ", which is not defined"));
            if (!bound.contains(namespace + "/" + sa)) {
                assertThat(Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())
                        || Boolean.FALSE.equals(account.getAutomountServiceAccountToken()))
                        .as("%s has no role, so it mounts no API token", workload).isTrue();
            }
        });
        for (HasMetadata binding : m.objects()) {
            RoleRef ref = roleRef(binding);
            if (ref == null) {
                continue;
            }
            Class<? extends HasMetadata> kind = "ClusterRole".equals(ref.getKind()) ? ClusterRole.class : Role.class;
            String ns = kind == ClusterRole.class ? null : binding.getMetadata().getNamespace();
            assertThat(m.find(kind, ns, ref.getName())).as("%s refers to %s %s", binding.getMetadata().getName(),
                    ref.getKind(), ref.getName()).isPresent();
            for (Subject s : subjects(binding)) {
                assertThat(m.find(ServiceAccount.class, s.getNamespace(), s.getName()))
                        .as("%s binds ServiceAccount %s/%s", binding.getMetadata().getName(), s.getNamespace(), s.getName())
                        .isPresent();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void autoscalersAndDisruptionBudgetsPointAtRealWorkloads(RenderedManifests m) {
        assertThat(m.all(HorizontalPodAutoscaler.class)).isNotEmpty();
        for (HorizontalPodAutoscaler hpa : m.all(HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            assertThat(ref.getKind()).isEqualTo("Deployment");
            assertThat(ref.getApiVersion()).isEqualTo("apps/v1");
            Deployment target = m.find(Deployment.class, hpa.getMetadata().getNamespace(), ref.getName()).orElseThrow(
                    () -> new AssertionError("HPA " + hpa.getMetadata().getName() + " scales Deployment " + ref.getName()
                            + ", which is not defined"));
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
            assertThat(target.getSpec().getReplicas()).as("replicas of %s: its HPA would change them at once", ref.getName())
                    .isBetween(hpa.getSpec().getMinReplicas(), hpa.getSpec().getMaxReplicas());
            assertThat(target.getSpec().getTemplate().getSpec().getContainers())
                    .as("the HPA of %s scales on CPU, so every container requests CPU", ref.getName())
                    .allSatisfy(c -> assertThat(c.getResources().getRequests()).containsKey("cpu"));
        }
        Set<String> scaled = new TreeSet<>();
        m.all(HorizontalPodAutoscaler.class).forEach(h -> scaled.add(h.getSpec().getScaleTargetRef().getName()));
        assertThat(scaled).as("every Deployment scales horizontally")
                .containsExactlyInAnyOrderElementsOf(m.all(Deployment.class).stream().map(d -> d.getMetadata().getName()).toList());

        Set<String> budgeted = new TreeSet<>();
        for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
            Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
            List<Deployment> selected = m.all(Deployment.class).stream()
                    .filter(d -> Objects.equals(d.getMetadata().getNamespace(), pdb.getMetadata().getNamespace()))
                    .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as("PDB %s selects the pods of a Deployment", pdb.getMetadata().getName()).hasSize(1);
            int replicas = selected.get(0).getSpec().getReplicas();
            assertThat(pdb.getSpec().getMinAvailable().getIntVal()).as("PDB %s leaves room to drain a node", pdb.getMetadata().getName())
                    .isLessThan(replicas);
            budgeted.add(selected.get(0).getMetadata().getName());
        }
        assertThat(budgeted).as("every Deployment of more than one replica keeps a replica through voluntary disruptions")
                .containsAll(m.all(Deployment.class).stream().filter(d -> d.getSpec().getReplicas() > 1)
                        .map(d -> d.getMetadata().getName()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void servicesSelectPodsAndNamedPortsTheyHave(RenderedManifests m) {
        for (Service service : m.all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            List<PodTemplateSpec> selected = m.podTemplates().entrySet().stream()
                    .filter(e -> Objects.equals(m.namespaceOf(e.getKey()), service.getMetadata().getNamespace()))
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void haproxyRunsWithTheAgentAsASidecarSharingConfigAndMasterSocket(RenderedManifests m) {
        Deployment haproxy = m.find(Deployment.class, "bgdeploy", "haproxy").orElseThrow();
        PodSpec spec = haproxy.getSpec().getTemplate().getSpec();
        Container proxy = spec.getContainers().stream().filter(c -> c.getImage().startsWith("haproxy:")).findFirst().orElseThrow();
        Container agent = spec.getContainers().stream().filter(c -> RenderedManifests.moduleOf(c).filter("lb-agent"::equals).isPresent())
                .findFirst().orElseThrow();
        Map<String, String> env = environment(m, agent, "bgdeploy");
        assertThat(env).containsEntry("LBAGENT_HAPROXY_START", "false");
        String config = env.get("LBAGENT_HAPROXY_CONFIG_FILE");
        String socket = env.get("LBAGENT_HAPROXY_MASTER_SOCKET");
        String directory = Path.of(config).getParent().toString();
        assertThat(Path.of(socket).getParent()).hasToString(directory);
        assertThat(mountAt(agent, directory).getName()).isEqualTo(mountAt(proxy, directory).getName());
        String command = String.join(" ", Optional.ofNullable(proxy.getCommand()).orElse(List.of())) + " "
                + String.join(" ", Optional.ofNullable(proxy.getArgs()).orElse(List.of()));
        assertThat(command).contains("-W", "-S " + socket, "-f " + config);
        int publicPort = Integer.parseInt(env.get("LBAGENT_HAPROXY_PUBLIC_PORT"));
        assertThat(proxy.getPorts()).extracting(ContainerPort::getContainerPort).contains(publicPort,
                Integer.parseInt(env.get("LBAGENT_HAPROXY_STATS_PORT")));
        assertThat(agent.getPorts()).extracting(ContainerPort::getContainerPort)
                .contains(DockerComposeFileTest.ServiceSettings.of(root, "lb-agent").httpPort());
    }

    /** The deployer's secret files and the Secret each comes from. */
    static final Map<String, String> DEPLOYER_SECRET_FILES = Map.of(
            "DEPLOYER_AUTH_TOKEN_FILE", "deployer-ci-token",
            "DEPLOYER_SIGNING_KEYS_FILE", "deployer-signing-keys");

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theDeployerReadsItsTokenAndSigningKeysFromSecretsThatOnlyItMounts(RenderedManifests m) {
        Deployment deployer = m.deploymentOf("deployer-service");
        PodSpec spec = deployer.getSpec().getTemplate().getSpec();
        Container c = spec.getContainers().stream().filter(x -> RenderedManifests.moduleOf(x).filter("deployer-service"::equals)
                .isPresent()).findFirst().orElseThrow();
        Map<String, String> env = environment(m, c, deployer.getMetadata().getNamespace());
        assertThat(DEPLOYER_SECRET_FILES).containsOnlyKeys(DockerComposeFileTest.DEPLOYER_SECRET_FILE_SETTINGS);
        DEPLOYER_SECRET_FILES.forEach((variable, secret) -> {
            assertThat(env).as("the deployer is given %s", variable).containsKey(variable);
            Path file = Path.of(env.get(variable));
            VolumeMount mount = mountAt(c, file.getParent().toString());
            assertThat(mount.getReadOnly()).as("%s is mounted read-only", file.getParent()).isTrue();
            assertThat(mount.getSubPath()).as("%s is mounted whole, so that a changed Secret reaches the running deployer",
                    file.getParent()).isNull();
            assertThat(secretItems(volume(spec, mount.getName())))
                    .as("%s is %s from Secret %s", variable, file, secret)
                    .contains(secret + ":" + file.getFileName());
        });
        m.podTemplates().forEach((workload, template) -> {
            if (!workload.equals("Deployment/" + deployer.getMetadata().getName())) {
                assertThat(Optional.ofNullable(template.getSpec().getVolumes()).orElse(List.of())).as("%s mounts none of the deployer's Secrets", workload)
                        .allSatisfy(v -> assertThat(secretItems(v)).noneMatch(item -> DEPLOYER_SECRET_FILES.values().stream()
                                .anyMatch(secret -> item.startsWith(secret + ":"))));
            }
        });
    }

    /** {@code <secret>:<file>} for every file that a volume takes from a Secret. */
    private static List<String> secretItems(Volume v) {
        List<String> items = new ArrayList<>();
        if (v.getSecret() != null) {
            Optional.ofNullable(v.getSecret().getItems()).orElse(List.of())
                    .forEach(i -> items.add(v.getSecret().getSecretName() + ":" + i.getPath()));
        }
        if (v.getProjected() != null) {
            v.getProjected().getSources().stream().filter(source -> source.getSecret() != null).forEach(source ->
                    Optional.ofNullable(source.getSecret().getItems()).orElse(List.of())
                            .forEach(i -> items.add(source.getSecret().getName() + ":" + i.getPath())));
        }
        return items;
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
    private static List<HasMetadata> roleOf(RenderedManifests m, String module) {
        Deployment d = m.deploymentOf(module);
        String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();
        List<HasMetadata> roles = new ArrayList<>();
        for (HasMetadata binding : m.objects()) {
            boolean bindsIt = subjects(binding).stream().anyMatch(s -> sa.equals(s.getName())
                    && Objects.equals(d.getMetadata().getNamespace(), s.getNamespace()));
            if (bindsIt) {
                roles.addAll(roleBoundBy(m, binding));
            }
        }
        assertThat(roles).as("roles of %s", module).isNotEmpty();
        return roles;
    }

    /** The role a binding refers to (none if it is no binding). */
    private static List<HasMetadata> roleBoundBy(RenderedManifests m, HasMetadata binding) {
        RoleRef ref = roleRef(binding);
        if (ref == null) {
            return List.of();
        }
        Optional<? extends HasMetadata> role = "ClusterRole".equals(ref.getKind())
                ? m.find(ClusterRole.class, null, ref.getName())
                : m.find(Role.class, binding.getMetadata().getNamespace(), ref.getName());
        return role.<List<HasMetadata>>map(List::of).orElse(List.of());
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
