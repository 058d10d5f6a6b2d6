package io.bgdeploy.deployer.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.deployer.model.Quantity;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.localplatform.LaunchSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link WorkloadSpec} (a Kubernetes pod spec with the deployer's variables) into what the
 * local platform launches: each container's name (the app's name for an unnamed first container,
 * {@code <app>-<index>} for another), image, command, args, env, ports and memory limit in bytes,
 * and the pod's variables and ports (the health-check port included). What the local platform
 * cannot take from a pod spec is a problem named by its path; the translation itself never fails
 * (a spec with problems is refused by {@code check} before anything runs). Pure.
 */
final class LaunchSpecs {

    private LaunchSpecs() {
    }

    /** The launch and the pod spec's problems for the local platform (empty when it translated whole). */
    record Translation(LaunchSpec launch, List<String> problems) {
    }

    static Translation translate(WorkloadSpec spec) {
        List<String> problems = new ArrayList<>();
        List<LaunchSpec.Container> containers = new ArrayList<>();
        List<JsonNode> declared = containers(spec);
        for (int c = 0; c < declared.size(); c++) {
            containers.add(container(spec, c, declared.get(c), "podspec.containers[" + c + "]", problems));
        }
        List<Integer> ports = new ArrayList<>();
        spec.ports().forEach(p -> ports.add(p.containerPort()));
        if (spec.healthCheckPort() != null && !ports.contains(spec.healthCheckPort())) {
            ports.add(spec.healthCheckPort());
        }
        return new Translation(new LaunchSpec(spec.namespace(), spec.name(), spec.appName(), spec.version(),
                spec.deploymentId(), spec.replicas(), spec.env(), ports, containers), List.copyOf(problems));
    }

    private static LaunchSpec.Container container(WorkloadSpec spec, int index, JsonNode container, String at,
                                                  List<String> problems) {
        List<LaunchSpec.EnvVar> env = new ArrayList<>();
        JsonNode declared = container.get("env");
        if (declared != null && declared.isArray()) {
            for (int i = 0; i < declared.size(); i++) {
                JsonNode e = declared.get(i);
                if (!e.path("name").isTextual()) {
                    problems.add(at + ".env[" + i + "].name is required");
                    continue;
                }
                if (e.has("valueFrom")) {
                    problems.add(at + ".env[" + i + "] (" + e.get("name").asText()
                            + "): valueFrom is not supported by the local platform: give a value");
                }
                env.add(new LaunchSpec.EnvVar(e.get("name").asText(), e.path("value").asText("")));
            }
        }
        long memoryLimitBytes = 0;
        JsonNode limit = container.path("resources").path("limits").get("memory");
        if (limit != null && !limit.isNull()) {
            try {
                memoryLimitBytes = Quantity.bytes(limit.asText());
            } catch (IllegalArgumentException e) {
                problems.add(at + ".resources.limits.memory: " + e.getMessage());
            }
        }
        String fallbackName = index == 0 ? spec.appName() : spec.appName() + "-" + index;
        List<Integer> ports = new ArrayList<>();
        for (JsonNode p : container.path("ports")) {
            if (p.path("containerPort").isInt()) {
                ports.add(p.get("containerPort").asInt());
            }
        }
        return new LaunchSpec.Container(container.path("name").asText(fallbackName), container.path("image").asText(null),
                strings(container.get("command")), strings(container.get("args")), env, ports, memoryLimitBytes);
    }

    private static List<JsonNode> containers(WorkloadSpec spec) {
        JsonNode containers = spec.podspec() == null ? null : spec.podspec().get("containers");
        List<JsonNode> result = new ArrayList<>();
        if (containers != null && containers.isArray()) {
            containers.forEach(result::add);
        }
        return result;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
