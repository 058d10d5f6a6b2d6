package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * WAITING_FOR_HEALTH: waits until every green pod runs and passes its health check (as
 * health-service reports on pod-health), within the health deadline. It stores no health itself:
 * the pod-health consumer stores every change it hears, right after handing it to the board.
 */
final class WaitForHealth extends Step {

    static final String NAME = "wait-for-health";

    private final HealthBoard board;
    private final DeploymentStore store;
    private final Duration healthDeadline;
    private final Journal journal;

    WaitForHealth(HealthBoard board, DeploymentStore store, Duration healthDeadline, Journal journal) {
        super(NAME, DeploymentPhase.WAITING_FOR_HEALTH);
        this.board = board;
        this.store = store;
        this.healthDeadline = healthDeadline;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws StepFailed, InterruptedException {
        Descriptor d = run.descriptor;
        int replicas = run.spec.replicas();
        boolean check = d.useHealthCheck();
        boolean ignore = d.ignoreHealthCheck();
        Instant deadline = Instant.now().plus(healthDeadline);
        if (run.continuesAnEarlierRun()) {
            restoreStoredHealth(run); // a new run heard every health change of its pods itself
        }
        if (!check) {
            journal.log(run, "no health check (useHealthCheck is false): waiting until " + replicas + " pod(s) run");
        }
        HealthBoard.Snapshot s = board.await(run.id(), snap -> snap.runningCount() >= replicas
                && (!check || (ignore ? snap.countRunningIn(st -> true) >= replicas
                : snap.countRunningIn(PodHealthState::isServing) >= replicas)), deadline, () -> false);
        if (s.runningCount() < replicas) {
            throw new StepFailed("only " + s.runningCount() + " of " + replicas + " pod(s) running after "
                    + healthDeadline.toSeconds() + " s");
        }
        if (!check) {
            return;
        }
        long ready = s.countRunningIn(PodHealthState::isServing);
        if (ready >= replicas) {
            journal.log(run, "all " + replicas + " pod(s) passed the " + d.healthCheckType() + " health check on "
                    + d.healthCheckPath());
            return;
        }
        String why = describeUnhealthy(s);
        if (ignore) {
            journal.log(run, "health check failed (" + why + "), ignored because ignoreHealthCheck is true");
            return;
        }
        throw new StepFailed("health check failed: " + ready + " of " + replicas + " pod(s) ready within "
                + healthDeadline.toSeconds() + " s; " + why);
    }

    /**
     * health-service publishes only transitions, and this instance reads pod-health from where it
     * stood when it started: a deployment continued after a restart would not hear again that its
     * pods became ready. What the instances stored of them is known from the start; anything heard
     * live replaces it.
     */
    private void restoreStoredHealth(Run run) {
        Deployment d = run.deployment;
        List<PodHealthRecord> stored;
        try {
            stored = store.health(d.namespace(), d.id());
        } catch (RuntimeException e) {
            journal.log(run, "the pods' stored health could not be read (" + e.getMessage() + "): waiting for it live");
            return;
        }
        for (PodHealthRecord r : stored) {
            if (r.state() != PodHealthState.GONE && r.lastProbe() != null) {
                board.restore(new PodHealthChanged(new PodRef(d.id(), d.namespace(), d.appName(), d.version(), r.pod()),
                        r.state(), r.lastProbe()));
            }
        }
    }

    private static String describeUnhealthy(HealthBoard.Snapshot s) {
        List<String> parts = new ArrayList<>();
        for (String pod : new TreeSet<>(s.running())) {
            PodHealthChanged h = s.health().get(pod);
            if (h == null) {
                parts.add("pod " + pod + ": no health result");
            } else if (!h.state().isServing()) {
                var p = h.lastProbe();
                String detail = p == null ? "" : p.error() != null ? p.error()
                        : p.httpStatus() != null ? "HTTP " + p.httpStatus() : "";
                parts.add("pod " + pod + ": " + h.state() + (detail.isEmpty() ? "" : " (" + detail + ")"));
            }
        }
        return parts.isEmpty() ? "no pod reported healthy" : String.join("; ", parts);
    }
}
