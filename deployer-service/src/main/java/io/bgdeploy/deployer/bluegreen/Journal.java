package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping of a deployment: each phase change and its end recorded in the store, written
 * to its log and published on deploy-events, with the duration of the phase before.
 *
 * <p>A phase's event goes out while its step runs: the broker's confirmation is awaited when the
 * next phase begins (or the deployment ends), not before the step. A deployment never goes further
 * than one phase past an event deploy-events did not take, and the events keep their order (one
 * idempotent producer, the deployment's key); what a phase costs is the step's own work, not a
 * round trip to the broker in front of it.
 */
public final class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class);

    private final DeploymentStore store;
    private final EventSink sink;
    private final HealthBoard board;
    private final Duration drainDelay;

    public Journal(DeploymentStore store, EventSink sink, HealthBoard board, Duration drainDelay) {
        this.store = store;
        this.sink = sink;
        this.board = board;
        this.drainDelay = drainDelay;
    }

    /**
     * Records the phase (with the drain deadline when draining starts), logs it and hands its event
     * to deploy-events, once the previous phase's event is confirmed.
     *
     * @throws EventSink.NotPublished when deploy-events did not take the previous phase's event: the
     *                                step of this phase does not run
     * @throws LockLost               when this instance may no longer hold the app's lock
     */
    void enterPhase(Run run, DeploymentPhase phase, String message) {
        run.checkLock(phase);
        Deployment d = run.deployment;
        if (d.phase() == phase && message == null) {
            return;
        }
        confirmPhaseEvent(run);
        Long previousMillis = null;
        Instant now = Instant.now();
        if (d.phase() != null && d.phase() != phase) {
            previousMillis = Duration.between(run.phaseStarted, now).toMillis();
            log(run, "phase " + d.phase() + " took " + previousMillis + " ms");
        }
        if (d.phase() != phase) {
            run.phaseStarted = now;
        }
        run.deployment = d.withPhase(phase);
        if (phase == DeploymentPhase.DRAINING && d.drainUntil() == null) {
            run.deployment = run.deployment.withDrainUntil(now.plus(drainDelay));
        }
        store.save(run.deployment);
        log(run, "phase " + phase + (message == null ? "" : ": " + message));
        run.phaseEvent = sink.publishPending(new DeploymentPhaseChanged(d.id(), d.namespace(), d.appName(), d.version(),
                phase, message, previousMillis));
    }

    /** Waits for the broker to confirm the event of the phase the run is in, if it has not yet. */
    private static void confirmPhaseEvent(Run run) {
        EventSink.Pending pending = run.phaseEvent;
        if (pending != null) {
            run.phaseEvent = null;
            try {
                pending.await();
            } catch (EventSink.NotPublished e) {
                throw new EventSink.NotPublished("the event of phase " + run.deployment.phase() + " was not published: "
                        + e.getMessage(), e);
            }
        }
    }

    /** A phase that must go on whether deploy-events takes its event or not (rolling back, undeploying). */
    void enterPhaseDespiteKafka(Run run, DeploymentPhase phase, String message) {
        goOnDespiteKafka(run, "going on with " + phase, () -> confirmPhaseEvent(run));
        goOnDespiteKafka(run, "going on with " + phase, () -> enterPhase(run, phase, message));
    }

    /** Runs what may fail because deploy-events did not take an event; such a failure is logged and the run goes on. */
    private void goOnDespiteKafka(Run run, String goingOn, Runnable action) {
        try {
            action.run();
        } catch (EventSink.NotPublished e) {
            LOG.warnf("deployment %s: %s; %s", run.id(), e.getMessage(), goingOn);
            log(run, e.getMessage());
        }
    }

    Deployment finishDeployedDespite(Run run, String problem) {
        log(run, "green serves, but " + problem);
        return finish(run, DeploymentStatus.DEPLOYED, null);
    }

    Deployment finish(Run run, DeploymentStatus status, String reason) {
        goOnDespiteKafka(run, "ending it " + status, () -> confirmPhaseEvent(run));
        long duration = Duration.between(run.started, Instant.now()).toMillis();
        Deployment d = run.deployment;
        long phaseMillis = Duration.between(run.phaseStarted, Instant.now()).toMillis();
        log(run, "phase " + d.phase() + " took " + phaseMillis + " ms");
        run.deployment = d.withStatus(status, reason);
        if (run.savedWithTheEnd.isEmpty()) {
            store.save(run.deployment);
        } else {
            List<Deployment> all = new ArrayList<>(run.savedWithTheEnd);
            all.add(0, run.deployment);
            store.saveAll(all);
            run.savedWithTheEnd.clear();
        }
        log(run, status + (reason == null ? "" : ": " + reason) + " after " + duration + " ms");
        try {
            sink.publish(new DeploymentFinished(d.id(), d.namespace(), d.appName(), d.version(), status, reason, duration));
        } catch (EventSink.NotPublished e) {
            LOG.errorf("deployment %s ended %s, but deploy-events does not say so: %s; GET /deployments/%s/ shows it",
                    d.id(), status, e.getMessage(), d.id());
            log(run, e.getMessage());
        }
        if (status != DeploymentStatus.DEPLOYED) {
            // a serving version's pod health stays: its backend follows its pods by it
            board.forget(d.id());
        }
        return run.deployment;
    }

    /** A line in the deployer's log and in the deployment's. */
    void log(Run run, String message) {
        Deployment d = run.deployment;
        LOG.infof("deployment %s (%s version %s): %s", d.id(), d.appKey(), d.version(), message);
        store.appendLog(d.namespace(), d.id(), Instant.now() + " " + message);
    }
}
