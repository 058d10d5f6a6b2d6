package io.bgdeploy.deployer.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.deployer.model.Quantity;
import io.bgdeploy.deployer.model.VarExpansion;
import io.bgdeploy.deployer.model.WorkloadSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one container of a local pod is started: the argument list and the environment, derived
 * from the container of the pod spec the way the kubelet would (env in order, each value expanded
 * against the variables before it; command and args expanded against all of them), and the memory
 * limit the platform enforces. Pure.
 *
 * @param container        the container's name
 * @param argv             the program and its arguments, never run through a shell
 * @param env              the container's environment
 * @param builtin          true when the deployer's built-in HTTP server runs instead of an image's command
 * @param memoryLimitBytes {@code resources.limits.memory} in bytes; 0 when the container has none
 */
public record LocalLaunch(String container, List<String> argv, Map<String, String> env, boolean builtin,
                          long memoryLimitBytes) {

    /** Value of {@code deployer.local.images} that selects the built-in HTTP server. */
    public static final String BUILTIN_HTTP = "builtin-http";

    public LocalLaunch {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** Why a workload cannot run locally, for every container; empty when it can. */
    public static List<String> problems(WorkloadSpec spec, Map<String, String> images, List<String> builtinImages) {
        List<String> problems = new ArrayList<>();
        List<JsonNode> containers = containers(spec);
        if (containers.isEmpty()) {
            problems.add("podspec.containers: the local platform needs at least one container");
            return problems;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int c = 0; c < containers.size(); c++) {
            JsonNode container = containers.get(c);
            String at = "podspec.containers[" + c + "]";
            Integer sameName = names.putIfAbsent(containerName(spec, c), c);
            if (sameName != null) {
                problems.add(at + ": the name '" + containerName(spec, c) + "' is also the name of podspec.containers["
                        + sameName + "]: give every container its own name");
            }
            JsonNode env = container.get("env");
            if (env != null && env.isArray()) {
                for (int i = 0; i < env.size(); i++) {
                    JsonNode e = env.get(i);
                    if (!e.path("name").isTextual()) {
                        problems.add(at + ".env[" + i + "].name is required");
                    } else if (e.has("valueFrom")) {
                        problems.add(at + ".env[" + i + "] (" + e.get("name").asText()
                                + "): valueFrom is not supported by the local platform: give a value");
                    }
                }
            }
            if (strings(container.get("command")).isEmpty() && commandForImage(image(container), images, builtinImages) == null) {
                problems.add(at + ": image '" + image(container) + "' has no command and no local command"
                        + " is configured for it: add \"command\" to the container or set deployer.local.images.\""
                        + imageName(image(container)) + "\"");
            }
            try {
                memoryLimit(container);
            } catch (IllegalArgumentException e) {
                problems.add(at + ".resources.limits.memory: " + e.getMessage());
            }
        }
        return problems;
    }

    /**
     * The launch of one container of a pod.
     *
     * @param index   the container's index in the pod spec
     * @param portMap every container port of the pod to the local port it gets (one network per pod,
     *                as on Kubernetes: every container sees every {@code PORT_<containerPort>})
     * @param port    the value of {@code PORT}
     */
    public static LocalLaunch of(WorkloadSpec spec, int index, String podName, Map<Integer, Integer> portMap, int port,
                                 Map<String, String> images, List<String> builtinImages) {
        List<JsonNode> containers = containers(spec);
        if (index < 0 || index >= containers.size()) {
            throw new IllegalArgumentException("workload " + spec.name() + " has no container #" + index);
        }
        JsonNode container = containers.get(index);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", Integer.toString(port));
        portMap.forEach((containerPort, local) -> env.put("PORT_" + containerPort, Integer.toString(local)));
        env.putAll(spec.env());
        env.put("POD_NAME", podName);
        JsonNode declared = container.get("env");
        if (declared != null && declared.isArray()) {
            for (JsonNode e : declared) {
                String name = e.path("name").asText();
                String value = e.path("value").asText("");
                env.put(name, VarExpansion.expand(value, env));
            }
        }
        List<String> command = strings(container.get("command"));
        List<String> args = strings(container.get("args"));
        List<String> argv = new ArrayList<>();
        boolean builtin = false;
        if (command.isEmpty()) {
            List<String> configured = commandForImage(image(container), images, builtinImages);
            if (configured == null) {
                throw new IllegalArgumentException("no local command for image " + image(container));
            }
            if (configured.equals(List.of(BUILTIN_HTTP))) {
                builtin = true;
            } else {
                configured.forEach(a -> argv.add(VarExpansion.expand(a, env)));
            }
        } else {
            command.forEach(a -> argv.add(VarExpansion.expand(a, env)));
        }
        args.forEach(a -> argv.add(VarExpansion.expand(a, env)));
        return new LocalLaunch(containerName(spec, index), argv, env, builtin, memoryLimit(container));
    }

    /** The configured command for an image (by full name, then by name without tag), or the built-in server. */
    static List<String> commandForImage(String image, Map<String, String> images, List<String> builtinImages) {
        if (image == null || image.isBlank()) {
            return null;
        }
        String configured = images.get(image);
        if (configured == null) {
            configured = images.get(imageName(image));
        }
        if (configured != null) {
            return List.of(configured.trim().split("\\s+"));
        }
        String name = imageName(image);
        String shortName = name.substring(name.lastIndexOf('/') + 1);
        if (builtinImages.contains(name) || builtinImages.contains(shortName)) {
            return List.of(BUILTIN_HTTP);
        }
        return null;
    }

    /** An image reference without tag or digest: {@code registry/nginx:1.25} gives {@code registry/nginx}. */
    static String imageName(String image) {
        String s = image;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        if (colon > s.lastIndexOf('/')) {
            s = s.substring(0, colon);
        }
        return s;
    }

    static List<JsonNode> containers(WorkloadSpec spec) {
        JsonNode containers = spec.podspec() == null ? null : spec.podspec().get("containers");
        List<JsonNode> result = new ArrayList<>();
        if (containers != null && containers.isArray()) {
            containers.forEach(result::add);
        }
        return result;
    }

    /** The container's name; the app's name for an unnamed first container, {@code <app>-<index>} for another. */
    static String containerName(WorkloadSpec spec, int index) {
        String fallback = index == 0 ? spec.appName() : spec.appName() + "-" + index;
        return containers(spec).get(index).path("name").asText(fallback);
    }

    /** The container's own ports, in order. */
    static List<Integer> containerPorts(WorkloadSpec spec, int index) {
        List<Integer> ports = new ArrayList<>();
        for (JsonNode p : containers(spec).get(index).path("ports")) {
            if (p.path("containerPort").isInt()) {
                ports.add(p.get("containerPort").asInt());
            }
        }
        return ports;
    }

    private static long memoryLimit(JsonNode container) {
        JsonNode limit = container.path("resources").path("limits").get("memory");
        return limit == null || limit.isNull() ? 0 : Quantity.bytes(limit.asText());
    }

    private static String image(JsonNode container) {
        return container.path("image").asText(null);
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
