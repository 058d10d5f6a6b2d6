package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows a deployment through successive answers of {@code GET /deployments/{id}/}, without any
 * HTTP code: prints each new phase and says when the status is final. A phase's duration is taken
 * from the deployment's {@code lastModified}, which the deployer sets when the phase changes.
 */
public final class RestFollower {

    private final String deploymentId;
    private final Consumer<String> out;

    private String phase;
    private Instant phaseStartedAt;
    private final List<String> phaseDurations = new ArrayList<>();

    public RestFollower(String deploymentId, Consumer<String> out) {
        this.deploymentId = deploymentId;
        this.out = out;
    }

    /** Takes the next answer; the outcome when its status is final. */
    public Optional<Outcome> onSnapshot(JsonNode deployment) {
        String status = text(deployment, "status");
        String newPhase = text(deployment, "phase");
        Instant modified = instant(deployment, "lastModified");
        if (newPhase != null && !newPhase.equals(phase)) {
            if (phase != null && phaseStartedAt != null && modified != null) {
                recordPhase(Duration.between(phaseStartedAt, modified).toMillis());
            }
            phase = newPhase;
            phaseStartedAt = modified;
            out.accept("phase " + newPhase);
        }
        if (status == null || !isFinal(status)) {
            return Optional.empty();
        }
        if (phase != null && phaseStartedAt != null && modified != null) {
            recordPhase(Duration.between(phaseStartedAt, modified).toMillis());
        }
        if (!phaseDurations.isEmpty()) {
            out.accept("phases: " + String.join(", ", phaseDurations));
        }
        Instant created = instant(deployment, "created");
        String took = created != null && modified != null
                ? " after " + Durations.format(Duration.between(created, modified)) : "";
        String what = status + " " + text(deployment, "namespace") + "/" + text(deployment, "appName") + " version "
                + text(deployment, "version") + " (deployment " + deploymentId + ")" + took;
        Outcome outcome;
        if ("DEPLOYED".equals(status) || "UNDEPLOYED".equals(status)) {
            out.accept(what);
            outcome = Outcome.ok(what);
        } else {
            String reason = text(deployment, "reason");
            String because = reason == null ? "no reason given" : reason;
            out.accept(what + ": " + because);
            outcome = Outcome.failure(status + ": " + because).with("reason", because);
        }
        return Optional.of(outcome.with("deploymentId", deploymentId)
                .with("key", text(deployment, "namespace") + "/" + text(deployment, "appName"))
                .with("version", text(deployment, "version")).with("status", status)
                .with("phases", List.copyOf(phaseDurations)));
    }

    /** The phase last seen. */
    public Optional<String> phase() {
        return Optional.ofNullable(phase);
    }

    private void recordPhase(long millis) {
        String line = phase + " " + Durations.format(Math.max(0, millis));
        phaseDurations.add(line);
        out.accept("  " + phase + " took " + Durations.format(Math.max(0, millis)));
    }

    private static boolean isFinal(String status) {
        return "DEPLOYED".equals(status) || "FAILURE".equals(status) || "UNDEPLOYED".equals(status);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
