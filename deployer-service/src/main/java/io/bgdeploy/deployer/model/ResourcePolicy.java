package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Every container gets CPU and memory requests and limits, early (the lesson of the story behind
 * this project): {@code fill} fills in what is missing with defaults and says which, {@code require}
 * refuses a container without limits, {@code off} leaves pod specs alone.
 */
public record ResourcePolicy(Mode mode, String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {

    public enum Mode { FILL, REQUIRE, OFF }

    /** The pod spec to run, the problems that refuse it, and notes on what was filled in. */
    public record Result(ObjectNode podspec, List<String> problems, List<String> notes) {
    }

    public static Mode mode(String configured) {
        try {
            return Mode.valueOf(configured.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deployer.resources.policy '" + configured
                    + "' is unknown: use fill, require or off", e);
        }
    }

    public Result apply(ObjectNode podspec) {
        ObjectNode copy = podspec.deepCopy();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (mode == Mode.OFF) {
            return new Result(copy, problems, notes);
        }
        JsonNode containers = copy.get("containers");
        if (containers == null || !containers.isArray()) {
            return new Result(copy, problems, notes);
        }
        for (int i = 0; i < containers.size(); i++) {
            if (!(containers.get(i) instanceof ObjectNode container)) {
                continue;
            }
            String name = container.path("name").asText("#" + i);
            JsonNode resources = container.get("resources");
            ObjectNode res = resources instanceof ObjectNode o ? o : container.putObject("resources");
            ObjectNode requests = res.get("requests") instanceof ObjectNode r ? r : res.putObject("requests");
            ObjectNode limits = res.get("limits") instanceof ObjectNode l ? l : res.putObject("limits");
            if (mode == Mode.REQUIRE) {
                List<String> missing = new ArrayList<>();
                if (!limits.hasNonNull("cpu")) {
                    missing.add("limits.cpu");
                }
                if (!limits.hasNonNull("memory")) {
                    missing.add("limits.memory");
                }
                if (!missing.isEmpty()) {
                    problems.add("podspec.containers[" + i + "].resources: container '" + name + "' has no "
                            + String.join(" and no ", missing) + ": every container needs CPU and memory limits");
                }
            }
            fill(limits, "cpu", cpuLimit, name, "limits", notes);
            fill(limits, "memory", memoryLimit, name, "limits", notes);
            fill(requests, "cpu", requestFor(limits, "cpu", cpuRequest), name, "requests", notes);
            fill(requests, "memory", requestFor(limits, "memory", memoryRequest), name, "requests", notes);
        }
        return new Result(copy, problems, notes);
    }

    /** A request never exceeds its limit: a container with a smaller limit requests that limit. */
    private static String requestFor(ObjectNode limits, String resource, String defaultRequest) {
        String limit = limits.path(resource).asText(null);
        if (limit == null) {
            return defaultRequest;
        }
        try {
            return Quantity.parse(limit) < Quantity.parse(defaultRequest) ? limit : defaultRequest;
        } catch (IllegalArgumentException unparsable) {
            return defaultRequest;
        }
    }

    private void fill(ObjectNode node, String resource, String value, String container, String kind, List<String> notes) {
        if (!node.hasNonNull(resource)) {
            node.put(resource, value);
            notes.add("container '" + container + "': " + kind + "." + resource + " not set, using " + value);
        }
    }
}
