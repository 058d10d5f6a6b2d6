package io.bgdeploy.health.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.ProbeResult;

import java.time.Instant;

/**
 * Decides whether one HTTP answer is healthy, as the reference deployer defined its check types:
 * {@code simple} is healthy on any 2xx status; {@code probe} also needs a JSON object body whose
 * boolean field {@code healthy} is {@code true} (other fields are ignored). An unhealthy result
 * always carries a reason a person can act on.
 */
public final class ProbeEvaluator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeEvaluator() {
    }

    /** The result of a probe that got an HTTP answer. */
    public static ProbeResult evaluate(String type, Instant at, long latencyMillis, int httpStatus, String body) {
        String excerpt = excerpt(body);
        String problem = problemOf(type, httpStatus, body);
        return new ProbeResult(at, problem == null, httpStatus, latencyMillis, excerpt, problem);
    }

    /** The result of a probe that got no HTTP answer (refused, timed out, reset). */
    public static ProbeResult failed(Instant at, long latencyMillis, String error) {
        return new ProbeResult(at, false, null, latencyMillis, null, error);
    }

    private static String problemOf(String type, int httpStatus, String body) {
        if (httpStatus < 200 || httpStatus > 299) {
            return "HTTP status " + httpStatus + " is not 2xx";
        }
        if (HealthCheckSpec.SIMPLE.equals(type)) {
            return null;
        }
        if (!HealthCheckSpec.PROBE.equals(type)) {
            return "unknown health check type '" + type + "'";
        }
        if (body == null || body.isBlank()) {
            return "probe body is empty: expected JSON {\"healthy\": true|false}";
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return "probe body is not JSON: " + e.getOriginalMessage();
        }
        if (tree == null || !tree.isObject()) {
            return "probe body is not a JSON object: expected {\"healthy\": true|false}";
        }
        JsonNode healthy = tree.get("healthy");
        if (healthy == null) {
            return "probe body has no field \"healthy\"";
        }
        if (!healthy.isBoolean()) {
            return "probe field \"healthy\" is not a boolean but " + healthy.getNodeType().name().toLowerCase();
        }
        return healthy.booleanValue() ? null : "probe answered {\"healthy\": false}";
    }

    /** The start of a body, control characters replaced, for showing why a probe failed. */
    public static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        String cut = body.length() > ProbeResult.MAX_EXCERPT ? body.substring(0, ProbeResult.MAX_EXCERPT) : body;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(c < 0x20 && c != '\n' && c != '\t' || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
