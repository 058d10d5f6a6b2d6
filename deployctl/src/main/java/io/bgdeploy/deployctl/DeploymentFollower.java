package io.bgdeploy.deployctl;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows one deploy request through the records of deploy-events, without any Kafka code: fed
 * with each record's key and value in order, it prints progress and says when the deployment is
 * over. Records of other keys are skipped unread; records of the key are read strictly with
 * {@link EventCodec}. Until the request is answered only the answer carrying its request id
 * counts; after that only events carrying its deployment id (another deployment of the same app
 * may be running or queued at the same time).
 */
public final class DeploymentFollower {

    private final String requestId;
    private final String key;
    private final Consumer<String> out;
    private final Consumer<String> warn;

    private String deploymentId;
    private String version;
    private DeploymentPhase phase;
    private Instant phaseStartedAt;
    private final List<String> phaseDurations = new ArrayList<>();

    /**
     * @param requestId the id of the DeployRequested that was published
     * @param key       its record key, {@code <namespace>/<appName>}
     * @param out       progress lines
     * @param warn      lines about records that could not be read
     */
    public DeploymentFollower(String requestId, String key, Consumer<String> out, Consumer<String> warn) {
        this.requestId = Names.requireText(requestId, "requestId");
        this.key = Names.requireText(key, "key");
        this.out = Objects.requireNonNull(out);
        this.warn = Objects.requireNonNull(warn);
    }

    /** The deployment id once the request was accepted. */
    public Optional<String> deploymentId() {
        return Optional.ofNullable(deploymentId);
    }

    /** The phase the deployment is in, once known. */
    public Optional<DeploymentPhase> phase() {
        return Optional.ofNullable(phase);
    }

    /**
     * Takes the next record of deploy-events.
     *
     * @param where where the record came from, for warnings (e.g. {@code deploy-events-2@17})
     * @return the outcome when this record ended the deployment
     */
    public Optional<Outcome> onRecord(String recordKey, String value, String where) {
        if (!key.equals(recordKey)) {
            return Optional.empty();
        }
        EventEnvelope<?> event;
        try {
            event = EventCodec.decode(value);
        } catch (MalformedEventException e) {
            warn.accept("skipped an unreadable record of " + key + " at " + where + ": " + e.getMessage());
            return Optional.empty();
        }
        if (event.data() instanceof DeploymentRejected r) {
            return onRejected(r);
        } else if (event.data() instanceof DeploymentAccepted a) {
            return onAccepted(a, event.time());
        } else if (event.data() instanceof DeploymentPhaseChanged p) {
            return onPhase(p, event.time());
        } else if (event.data() instanceof DeploymentFinished f) {
            return onFinished(f, event.time());
        }
        return Optional.empty();
    }

    /** What to say when the deadline passed before the deployment ended. */
    public Outcome timedOut(Duration timeout) {
        if (deploymentId == null) {
            return Outcome.timedOut("no answer to request " + requestId + " within " + Durations.format(timeout)
                    + ": is deployer-service running and reading deploy-requests?");
        }
        return Outcome.timedOut("deployment " + deploymentId + " of " + key + " did not finish within "
                + Durations.format(timeout) + (phase == null ? "" : "; it is in phase " + phase)
                + ". It goes on in the deployer: check GET /deployments/" + deploymentId + "/?namespace="
                + namespaceOfKey());
    }

    private Optional<Outcome> onRejected(DeploymentRejected r) {
        if (deploymentId != null || !requestId.equals(r.requestId())) {
            return Optional.empty();
        }
        out.accept("REJECTED " + key + ": " + r.reason());
        for (String problem : r.problems()) {
            out.accept("  - " + problem);
        }
        return Optional.of(Outcome.rejected("rejected: " + r.reason()));
    }

    private Optional<Outcome> onAccepted(DeploymentAccepted a, Instant at) {
        if (deploymentId != null || !requestId.equals(a.requestId())) {
            return Optional.empty();
        }
        deploymentId = a.deploymentId();
        version = a.version();
        phaseStartedAt = at;
        out.accept("accepted: deployment " + deploymentId + " of " + key + " version " + version
                + (a.requestedBy() == null ? "" : " requested by " + a.requestedBy()));
        return Optional.empty();
    }

    private Optional<Outcome> onPhase(DeploymentPhaseChanged p, Instant at) {
        if (!p.deploymentId().equals(deploymentId)) {
            return Optional.empty();
        }
        if (phase != null && phase != p.phase()) {
            long tookMillis = p.previousPhaseMillis() != null ? p.previousPhaseMillis()
                    : Duration.between(phaseStartedAt, at).toMillis();
            phaseDurations.add(phase + " " + Durations.format(tookMillis));
            out.accept("  " + phase + " took " + Durations.format(tookMillis));
        }
        if (phase != p.phase()) {
            phaseStartedAt = at;
        }
        phase = p.phase();
        out.accept("phase " + p.phase() + (p.message() == null ? "" : ": " + p.message()));
        return Optional.empty();
    }

    private Optional<Outcome> onFinished(DeploymentFinished f, Instant at) {
        if (!f.deploymentId().equals(deploymentId)) {
            return Optional.empty();
        }
        if (phase != null) {
            long tookMillis = Math.max(0, Duration.between(phaseStartedAt, at).toMillis());
            phaseDurations.add(phase + " " + Durations.format(tookMillis));
            out.accept("  " + phase + " took " + Durations.format(tookMillis));
        }
        if (!phaseDurations.isEmpty()) {
            out.accept("phases: " + String.join(", ", phaseDurations));
        }
        String what = f.status() + " " + key + " version " + f.version() + " (deployment " + deploymentId + ") after "
                + Durations.format(f.durationMillis());
        Outcome outcome;
        if (f.status() == DeploymentStatus.DEPLOYED) {
            out.accept(what);
            outcome = Outcome.deployed(what);
        } else {
            String reason = f.reason() == null ? "no reason given" : f.reason();
            out.accept(what + ": " + reason);
            outcome = Outcome.failure(f.status() + ": " + reason).with("reason", reason);
        }
        return Optional.of(outcome.with("deploymentId", deploymentId).with("key", key).with("version", f.version())
                .with("status", f.status().name()).with("durationMillis", f.durationMillis())
                .with("phases", List.copyOf(phaseDurations)));
    }

    private String namespaceOfKey() {
        int slash = key.indexOf('/');
        return slash > 0 ? key.substring(0, slash) : key;
    }
}
