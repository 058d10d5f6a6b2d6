package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link Descriptor} and reports every problem at once, one clear message per problem.
 * Platform-specific checks of the pod spec (resources, commands) belong to the deployer.
 */
public final class DescriptorValidator {

    /** Kubernetes object names of the form {@code <appName>-<version>} must stay DNS labels. */
    public static final int MAX_VERSIONED_NAME = 63;
    public static final int MAX_REPLICAS = 100;

    private DescriptorValidator() {
    }

    /** One problem with one field. */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    /** Every problem of the descriptor; empty when it is valid. */
    public static List<Problem> validate(Descriptor d) {
        List<Problem> problems = new ArrayList<>();
        if (d == null) {
            problems.add(new Problem("descriptor", "is required"));
            return problems;
        }
        if (!Names.isNamespace(d.namespace())) {
            problems.add(new Problem("namespace", "'" + Names.printable(d.namespace())
                    + "' is not a DNS label: use lower-case letters, digits and '-', starting with a letter, at most 63 characters"));
        }
        if (d.appName() == null || d.appName().isEmpty()) {
            problems.add(new Problem("appName", "is required"));
        } else if (!Names.isAppName(d.appName())) {
            problems.add(new Problem("appName", "'" + Names.printable(d.appName())
                    + "' is not a DNS label: use lower-case letters, digits and '-', starting with a letter, at most 63 characters"));
        }
        if (!Descriptor.NEXT_VERSION.equals(d.newVersion())) {
            if (!Names.isVersion(d.newVersion())) {
                problems.add(new Problem("newVersion", "'" + Names.printable(d.newVersion())
                        + "' is not a version: use \"#\" for the next number, or lower-case letters, digits and '-'"));
            } else if (Names.isAppName(d.appName())
                    && d.appName().length() + 1 + d.newVersion().length() > MAX_VERSIONED_NAME) {
                problems.add(new Problem("newVersion", "'" + d.appName() + "-" + d.newVersion()
                        + "' is longer than " + MAX_VERSIONED_NAME + " characters: shorten appName or newVersion"));
            }
        }
        if (d.replicas() < 1) {
            problems.add(new Problem("replicas", d.replicas() + " is less than 1: a deployment needs at least one replica"));
        } else if (d.replicas() > MAX_REPLICAS) {
            problems.add(new Problem("replicas", d.replicas() + " is more than " + MAX_REPLICAS));
        }
        if (!Descriptor.BLUE_GREEN.equals(d.deploymentType())) {
            problems.add(new Problem("deploymentType", "'" + Names.printable(d.deploymentType())
                    + "' is not supported: the only deployment type is \"blue-green\""));
        }
        if (d.frontend() != null) {
            HostName.problem(d.frontend()).ifPresent(problem ->
                    problems.add(new Problem("frontend", "'" + Names.printable(d.frontend()) + "' " + problem)));
        }
        for (int i = 0; i < d.additionHttpHeaders().size(); i++) {
            Descriptor.HttpHeaderEntry h = d.additionHttpHeaders().get(i);
            String field = "additionHttpHeaders[" + i + "]";
            if (h == null) {
                problems.add(new Problem(field, "is null"));
                continue;
            }
            if (!Names.isHeaderName(h.header())) {
                problems.add(new Problem(field + ".Header", "'" + Names.printable(h.header())
                        + "' is not a header name: use an HTTP token such as X-Frame-Options"));
            }
            if (!Names.isHeaderValue(h.value())) {
                problems.add(new Problem(field + ".Value", "'" + Names.printable(h.value())
                        + "' is not allowed: use printable ASCII without quotes, backslash, '$', '#', '%' or '`'"));
            }
        }
        if (!Names.isUrlPath(d.healthCheckPath())) {
            problems.add(new Problem("healthCheckPath", "'" + Names.printable(d.healthCheckPath())
                    + "' is not a path: use an absolute path such as /health"));
        }
        if (d.healthCheckPort() != null && !Names.isPort(d.healthCheckPort())) {
            problems.add(new Problem("healthCheckPort", d.healthCheckPort() + " is not a port: use 1 to 65535"));
        }
        if (!Descriptor.HEALTH_CHECK_SIMPLE.equals(d.healthCheckType())
                && !Descriptor.HEALTH_CHECK_PROBE.equals(d.healthCheckType())) {
            problems.add(new Problem("healthCheckType", "'" + Names.printable(d.healthCheckType())
                    + "' is not a health check type: use \"simple\" (2xx is healthy) or \"probe\" (JSON {\"healthy\": true})"));
        }
        for (Map.Entry<String, String> e : d.environment().entrySet()) {
            if (!Names.isEnvName(e.getKey())) {
                problems.add(new Problem("environment", "'" + Names.printable(e.getKey())
                        + "' is not an environment variable name: use letters, digits and '_', not starting with a digit"));
            }
            if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
                problems.add(new Problem("environment." + Names.printable(e.getKey()), "value must be a string without NUL"));
            }
        }
        for (int i = 0; i < d.imagePullSecrets().size(); i++) {
            Descriptor.ImagePullSecret s = d.imagePullSecrets().get(i);
            if (s == null || !Names.isHostName(s.name()) || !s.name().equals(s.name().toLowerCase())) {
                problems.add(new Problem("imagePullSecrets[" + i + "].name",
                        "must name a Secret: lower-case letters, digits, '-' and '.'"));
            }
        }
        for (int i = 0; i < d.webhooks().size(); i++) {
            Descriptor.Webhook w = d.webhooks().get(i);
            if (w == null || w.key() == null || w.key().isBlank()) {
                problems.add(new Problem("webhooks[" + i + "].key", "is required"));
            }
        }
        validatePodSpec(d.podspec(), problems);
        return problems;
    }

    private static void validatePodSpec(JsonNode podspec, List<Problem> problems) {
        if (podspec == null || podspec.isNull()) {
            problems.add(new Problem("podspec", "is required: a Kubernetes PodSpec with at least one container"));
            return;
        }
        JsonNode containers = podspec.get("containers");
        if (containers == null || !containers.isArray() || containers.isEmpty()) {
            problems.add(new Problem("podspec.containers", "needs at least one container"));
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String field = "podspec.containers[" + i + "]";
            if (!c.isObject()) {
                problems.add(new Problem(field, "must be an object"));
                continue;
            }
            JsonNode name = c.get("name");
            if (name == null || !name.isTextual() || !Names.isDnsLabel(name.asText())) {
                problems.add(new Problem(field + ".name", "must be a DNS label"));
            }
            JsonNode image = c.get("image");
            if (image == null || !image.isTextual() || image.asText().isBlank()) {
                problems.add(new Problem(field + ".image", "is required"));
            }
            JsonNode ports = c.get("ports");
            if (ports != null && ports.isArray()) {
                for (int p = 0; p < ports.size(); p++) {
                    JsonNode port = ports.get(p).get("containerPort");
                    if (port == null || !port.isInt() || !Names.isPort(port.asInt())) {
                        problems.add(new Problem(field + ".ports[" + p + "].containerPort", "must be a port from 1 to 65535"));
                    }
                }
            }
        }
    }
}
