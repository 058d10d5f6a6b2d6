package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.events.pod.HealthCheckSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure blue-green planning: names, versions, ports, environment, the desired workload and the
 * load-balancer specs. No platform, no store, no messaging.
 */
public final class BlueGreenPlanner {

    /** The reference deployer's last-resort health-check port. */
    public static final int DEFAULT_HEALTH_CHECK_PORT = 9999;
    public static final String HEALTHCHECK_PORT_NAME = "healthcheck";

    private BlueGreenPlanner() {
    }

    public static String workloadName(String appName, String version) {
        return appName + "-" + version;
    }

    public static String backendId(String namespace, String appName, String version) {
        return namespace + "-" + appName + "-" + version;
    }

    /**
     * The version {@code "#"} stands for: one more than the highest numeric version of the app's
     * deployments that did not fail (a deployment in progress counts, so two queued requests get
     * two numbers); 1 for the first.
     */
    public static String nextVersion(Collection<Deployment> history) {
        Deployment highest = countedFrom(history);
        return Long.toString(highest == null ? 1 : Long.parseLong(highest.version()) + 1);
    }

    /**
     * The deployment {@link #nextVersion} counts from: the one with the highest numeric version
     * above 0 that did not fail; null when there is none.
     */
    public static Deployment countedFrom(Collection<Deployment> history) {
        Deployment highest = null;
        long max = 0;
        for (Deployment d : history) {
            if (d.status() == DeploymentStatus.FAILURE || d.version() == null) {
                continue;
            }
            try {
                long version = Long.parseLong(d.version());
                if (version > max) {
                    max = version;
                    highest = d;
                }
            } catch (NumberFormatException notNumeric) {
                // named versions do not take part in numbering
            }
        }
        return highest;
    }

    /** The deployment of this version that is running or about to run, if any. */
    public static Optional<Deployment> activeWithVersion(Collection<Deployment> history, String version) {
        return history.stream()
                .filter(d -> version.equals(d.version()))
                .filter(d -> d.status() == DeploymentStatus.DEPLOYED || d.status() == DeploymentStatus.DEPLOYING
                        || d.status() == DeploymentStatus.UNDEPLOYING)
                .findFirst();
    }

    /**
     * The deployment that serves the app now (blue), if any: the last DEPLOYED one of the history,
     * which lists the app's deployments in the order they were accepted.
     */
    public static Optional<Deployment> serving(List<Deployment> history, String excludeId) {
        return history.stream()
                .filter(d -> d.status() == DeploymentStatus.DEPLOYED)
                .filter(d -> !d.id().equals(excludeId))
                .reduce((earlier, later) -> later);
    }

    /**
     * The app's DEPLOYED deployments other than the one running ({@code currentId}) and its blue
     * ({@code blueId}, null for none): versions that a deployment switched away from but could not
     * remove (a failure after the switch, such as etcd not answering, ends a deployment DEPLOYED with
     * its blue still running). Deployments of one app run one at a time, so in REMOVING_BLUE these
     * serve no frontend of the app any more and go with blue.
     */
    public static List<Deployment> leftRunning(List<Deployment> history, String currentId, String blueId) {
        return history.stream()
                .filter(d -> d.status() == DeploymentStatus.DEPLOYED)
                .filter(d -> !d.id().equals(currentId) && !d.id().equals(blueId))
                .toList();
    }

    /**
     * Whether the deployment's version receives traffic: it is DEPLOYED, or its switch was confirmed
     * and it drains blue or removes it. These are the versions whose pods must run, and whose
     * backend must follow their pods, when no deployment step takes care of them.
     */
    public static boolean serves(Deployment d) {
        return d.status() == DeploymentStatus.DEPLOYED || d.status() == DeploymentStatus.DEPLOYING
                && (d.phase() == DeploymentPhase.DRAINING || d.phase() == DeploymentPhase.REMOVING_BLUE);
    }

    /**
     * The container port the health check probes: an explicit {@code healthCheckPort} wins, else
     * the port named {@code healthcheck}, else the only port, else 9999 (the reference's rule).
     */
    public static int healthCheckPort(Descriptor d) {
        if (d.healthCheckPort() != null) {
            return d.healthCheckPort();
        }
        List<WorkloadSpec.PortSpec> ports = allPorts(d.podspec());
        for (WorkloadSpec.PortSpec p : ports) {
            if (HEALTHCHECK_PORT_NAME.equals(p.name())) {
                return p.containerPort();
            }
        }
        if (ports.size() == 1) {
            return ports.get(0).containerPort();
        }
        return DEFAULT_HEALTH_CHECK_PORT;
    }

    /**
     * The ports of every container, as one pod network: each container port once (the first
     * declaration wins), and a name already taken by another port is dropped so that names stay unique.
     */
    public static List<WorkloadSpec.PortSpec> podPorts(JsonNode podspec) {
        List<WorkloadSpec.PortSpec> result = new ArrayList<>();
        java.util.Set<Integer> numbers = new java.util.HashSet<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (WorkloadSpec.PortSpec p : allPorts(podspec)) {
            if (numbers.add(p.containerPort())) {
                boolean named = !p.name().isEmpty() && names.add(p.name());
                result.add(named ? p : new WorkloadSpec.PortSpec("", p.containerPort()));
            }
        }
        return result;
    }

    private static List<WorkloadSpec.PortSpec> allPorts(JsonNode podspec) {
        List<WorkloadSpec.PortSpec> result = new ArrayList<>();
        JsonNode containers = podspec == null ? null : podspec.get("containers");
        if (containers != null && containers.isArray()) {
            containers.forEach(c -> addPorts(c, result));
        }
        return result;
    }

    private static void addPorts(JsonNode container, List<WorkloadSpec.PortSpec> into) {
        JsonNode ports = container.get("ports");
        if (ports == null || !ports.isArray()) {
            return;
        }
        for (JsonNode p : ports) {
            JsonNode port = p.get("containerPort");
            if (port != null && port.isInt()) {
                JsonNode name = p.get("name");
                into.add(new WorkloadSpec.PortSpec(name != null && name.isTextual() ? name.asText() : "", port.asInt()));
            }
        }
    }

    /**
     * Variables injected into every container, in order: etcd's {@code /deployer/environment/*},
     * then the descriptor's {@code environment} (more specific, so it wins), then APP_NAME,
     * APP_VERSION and POD_NAMESPACE. POD_NAME is added by the platform per pod.
     */
    public static Map<String, String> injectedEnvironment(Descriptor d, String version, Map<String, String> etcdEnvironment) {
        Map<String, String> env = new LinkedHashMap<>(new java.util.TreeMap<>(etcdEnvironment));
        new java.util.TreeMap<>(d.environment()).forEach(env::put);
        env.put("APP_NAME", d.appName());
        env.put("APP_VERSION", version);
        env.put("POD_NAMESPACE", d.namespace());
        return env;
    }

    public static WorkloadSpec workload(String deploymentId, Descriptor d, String version, ObjectNode podspec,
                                        Map<String, String> etcdEnvironment) {
        String name = workloadName(d.appName(), version);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkloadSpec.LABEL_APP, d.appName());
        labels.put(WorkloadSpec.LABEL_VERSION, version);
        labels.put(WorkloadSpec.LABEL_MANAGED_BY, WorkloadSpec.MANAGED_BY);
        labels.put(WorkloadSpec.LABEL_DEPLOYMENT_ID, deploymentId);
        Integer healthPort = d.useHealthCheck() ? healthCheckPort(d) : null;
        return new WorkloadSpec(deploymentId, d.namespace(), d.appName(), version, name, d.replicas(), labels,
                podspec, injectedEnvironment(d, version, etcdEnvironment), podPorts(podspec), healthPort);
    }

    /** How health-service should probe a pod; absent when the descriptor has no health check. */
    public static HealthCheckSpec healthCheck(Descriptor d, int reachablePort, HealthTiming timing) {
        if (!d.useHealthCheck()) {
            return null;
        }
        return new HealthCheckSpec(d.healthCheckType(), d.healthCheckPath(), reachablePort, timing.periodMillis(),
                timing.timeoutMillis(), timing.successThreshold(), timing.failureThreshold());
    }

    /** Probe timing, from configuration. */
    public record HealthTiming(long periodMillis, long timeoutMillis, int successThreshold, int failureThreshold) {
    }

    /**
     * The frontend the descriptor asks for, or null when it has none. Its host name becomes a
     * {@link HostName} here, from a descriptor that {@link io.bgdeploy.events.deploy.DescriptorValidator}
     * accepted when it came in: a deployment computes its frontend once and carries it from then on.
     */
    public static FrontendSpec frontend(Descriptor d) {
        if (d.frontend() == null) {
            return null;
        }
        return new FrontendSpec(HostName.of(d.frontend()), d.redirectWww(), d.useCompression(), headers(d),
                d.useStickySessions(), TlsMode.HTTP_ONLY, null);
    }

    public static BackendSpec backend(Descriptor d, String version, List<ServerSpec> servers) {
        return new BackendSpec(backendId(d.namespace(), d.appName(), version), servers, d.useCompression(), headers(d),
                d.useHealthCheck() && HealthCheckSpec.SIMPLE.equals(d.healthCheckType()) ? d.healthCheckPath() : null);
    }

    private static List<HttpHeader> headers(Descriptor d) {
        return d.additionHttpHeaders().stream().map(h -> new HttpHeader(h.header(), h.value())).toList();
    }

    /** Whether a deployment is still to be run to its end (DEPLOYING or UNDEPLOYING). */
    public static boolean unfinished(Deployment d) {
        return d.status() == DeploymentStatus.DEPLOYING || d.status() == DeploymentStatus.UNDEPLOYING;
    }

    /** A workload's key across namespaces: {@code <namespace>/<workload>}. */
    public static String workloadKey(String namespace, String workload) {
        return namespace + "/" + workload;
    }

    /**
     * The workloads ({@link #workloadKey}) that must be kept: those of deployments that serve or
     * are in progress. Any other workload the deployer manages is an orphan.
     */
    public static Set<String> ownedWorkloads(List<Deployment> deployments) {
        Set<String> owned = new HashSet<>();
        for (Deployment d : deployments) {
            if (d.status() == null || d.status() != DeploymentStatus.FAILURE && d.status() != DeploymentStatus.UNDEPLOYED) {
                owned.add(workloadKey(d.namespace(), workloadName(d.appName(), d.version())));
            }
        }
        return owned;
    }
}
