package io.bgdeploy.localplatform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one container of a local pod is started: the argument list and the environment, derived
 * from the container of the launch spec the way the kubelet would (env in order, each value expanded
 * against the variables before it; command and args expanded against all of them), and the memory
 * limit the platform enforces. Pure.
 *
 * @param container        the container's name
 * @param argv             the program and its arguments, never run through a shell
 * @param env              the container's environment
 * @param builtin          true when the platform's built-in HTTP server runs instead of an image's command
 * @param memoryLimitBytes the resident memory the container may hold; 0 when it has no limit
 */
record LocalLaunch(String container, List<String> argv, Map<String, String> env, boolean builtin,
                   long memoryLimitBytes) {

    /** The command configured for an image that selects the built-in HTTP server. */
    static final String BUILTIN_HTTP = "builtin-http";

    LocalLaunch {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /**
     * Why a workload cannot run locally, for every container; empty when it can.
     *
     * @param settingsPrefix where the platform's settings are configured, to name the one to set
     * @param containersPath how the caller's input names the list of containers (e.g. {@code podspec.containers})
     */
    static List<String> problems(LaunchSpec spec, Map<String, String> images, List<String> builtinImages,
                                 String settingsPrefix, String containersPath) {
        List<String> problems = new ArrayList<>();
        List<LaunchSpec.Container> containers = spec.containers();
        if (containers.isEmpty()) {
            problems.add(containersPath + ": the local platform needs at least one container");
            return problems;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int c = 0; c < containers.size(); c++) {
            LaunchSpec.Container container = containers.get(c);
            String at = containersPath + "[" + c + "]";
            Integer sameName = names.putIfAbsent(container.name(), c);
            if (sameName != null) {
                problems.add(at + ": the name '" + container.name() + "' is also the name of " + containersPath + "["
                        + sameName + "]: give every container its own name");
            }
            if (container.command().isEmpty() && (container.image() == null || container.image().isBlank())) {
                problems.add(at + ": neither a command nor an image: add \"command\" to the container");
            } else if (container.command().isEmpty() && commandForImage(container.image(), images, builtinImages) == null) {
                problems.add(at + ": image '" + container.image() + "' has no command and no local command"
                        + " is configured for it: add \"command\" to the container or set " + settingsPrefix + "images.\""
                        + imageName(container.image()) + "\"");
            }
        }
        return problems;
    }

    /**
     * The launch of one container of a pod.
     *
     * @param index   the container's index in the launch spec
     * @param portMap every container port of the pod to the local port it gets (one network per pod,
     *                as on Kubernetes: every container sees every {@code PORT_<containerPort>})
     * @param port    the value of {@code PORT}
     */
    static LocalLaunch of(LaunchSpec spec, int index, String podName, Map<Integer, Integer> portMap, int port,
                          Map<String, String> images, List<String> builtinImages) {
        if (index < 0 || index >= spec.containers().size()) {
            throw new IllegalArgumentException("workload " + spec.name() + " has no container #" + index);
        }
        LaunchSpec.Container container = spec.containers().get(index);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", Integer.toString(port));
        portMap.forEach((containerPort, local) -> env.put("PORT_" + containerPort, Integer.toString(local)));
        env.putAll(spec.env());
        env.put("POD_NAME", podName);
        for (LaunchSpec.EnvVar e : container.env()) {
            env.put(e.name(), VarExpansion.expand(e.value(), env));
        }
        List<String> argv = new ArrayList<>();
        boolean builtin = false;
        if (container.command().isEmpty()) {
            List<String> configured = commandForImage(container.image(), images, builtinImages);
            if (configured == null) {
                throw new IllegalArgumentException("no local command for image " + container.image());
            }
            if (configured.equals(List.of(BUILTIN_HTTP))) {
                builtin = true;
            } else {
                configured.forEach(a -> argv.add(VarExpansion.expand(a, env)));
            }
        } else {
            container.command().forEach(a -> argv.add(VarExpansion.expand(a, env)));
        }
        container.args().forEach(a -> argv.add(VarExpansion.expand(a, env)));
        return new LocalLaunch(container.name(), argv, env, builtin, container.memoryLimitBytes());
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
}
