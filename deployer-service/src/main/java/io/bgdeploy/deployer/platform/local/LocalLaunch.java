package io.bgdeploy.deployer.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.deployer.platform.VarExpansion;
import io.bgdeploy.deployer.platform.WorkloadSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one local pod is started: the argument list and the environment, derived from the first
 * container of the pod spec the way the kubelet would (env in order, each value expanded against
 * the variables before it; command and args expanded against all of them). Pure.
 *
 * @param argv    the program and its arguments, never run through a shell
 * @param env     the container's environment
 * @param builtin true when the deployer's built-in HTTP server runs instead of an image's command
 */
public record LocalLaunch(List<String> argv, Map<String, String> env, boolean builtin) {

    /** Value of {@code deployer.local.images} that selects the built-in HTTP server. */
    public static final String BUILTIN_HTTP = "builtin-http";

    public LocalLaunch {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** Why a workload cannot run locally; empty when it can. */
    public static List<String> problems(WorkloadSpec spec, Map<String, String> images, List<String> builtinImages) {
        List<String> problems = new ArrayList<>();
        JsonNode container = firstContainer(spec);
        if (container == null) {
            problems.add("podspec.containers: the local platform needs at least one container");
            return problems;
        }
        JsonNode env = container.get("env");
        if (env != null && env.isArray()) {
            for (int i = 0; i < env.size(); i++) {
                JsonNode e = env.get(i);
                if (!e.path("name").isTextual()) {
                    problems.add("podspec.containers[0].env[" + i + "].name is required");
                } else if (e.has("valueFrom")) {
                    problems.add("podspec.containers[0].env[" + i + "] (" + e.get("name").asText()
                            + "): valueFrom is not supported by the local platform: give a value");
                }
            }
        }
        if (strings(container.get("command")).isEmpty() && commandForImage(image(container), images, builtinImages) == null) {
            problems.add("podspec.containers[0]: image '" + image(container) + "' has no command and no local command"
                    + " is configured for it: add \"command\" to the container or set deployer.local.images.\""
                    + imageName(image(container)) + "\"");
        }
        return problems;
    }

    /**
     * The launch of one pod.
     *
     * @param portMap container port to the local port it gets
     * @param port    the value of {@code PORT}
     */
    public static LocalLaunch of(WorkloadSpec spec, String podName, Map<Integer, Integer> portMap, int port,
                                 Map<String, String> images, List<String> builtinImages) {
        JsonNode container = firstContainer(spec);
        if (container == null) {
            throw new IllegalArgumentException("workload " + spec.name() + " has no container");
        }
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
        return new LocalLaunch(argv, env, builtin);
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

    static JsonNode firstContainer(WorkloadSpec spec) {
        JsonNode containers = spec.podspec() == null ? null : spec.podspec().get("containers");
        return containers != null && containers.isArray() && !containers.isEmpty() ? containers.get(0) : null;
    }

    static String containerName(WorkloadSpec spec) {
        JsonNode c = firstContainer(spec);
        return c == null ? spec.appName() : c.path("name").asText(spec.appName());
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
