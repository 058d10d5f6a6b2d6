package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.FrontendSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * A deployment in progress: the state its steps share, and the handle to ask for a rollback
 * while blue still runs.
 */
public final class Run {
    volatile Deployment deployment;
    final Descriptor descriptor;
    /** Green's frontend, null when the descriptor has none; its host name parsed once, when the run is built. */
    final FrontendSpec frontend;
    final WorkloadSpec spec;
    /** The version that served when this deployment started (null: a first deployment); set with {@link #setBlue}. */
    volatile Deployment blue;
    /** Blue's frontend, null without blue or when blue had none. */
    volatile FrontendSpec blueFrontend;
    volatile boolean switchAttempted;
    volatile boolean switched;
    volatile boolean greenCreated;
    volatile String rollbackRequestedBy;
    /** Set when the run continues a deployment an earlier run left: its load-balancer commands get new ids. */
    private volatile String commandTag;
    final CountDownLatch rollbackSignal = new CountDownLatch(1);
    /** The event of the phase the run is in, until the broker confirmed it (Journal); used by the run's thread only. */
    EventSink.Pending phaseEvent;
    Instant phaseStarted = Instant.now();
    final Instant started = Instant.now();
    final BooleanSupplier lockValid;
    /**
     * The app's deployments in accept order, as the holder of the app's run lock listed them to pick
     * this one. Whether another deployment of the app serves changes only under that lock, so the
     * steps that look for blue read this instead of listing the history again.
     */
    final List<Deployment> appHistory;
    /**
     * Records saved with the deployment's own final one, in the same write ({@link Journal#finish}):
     * the version it replaced, UNDEPLOYED, so that the history never has neither or both serving.
     * Used by the run's thread only.
     */
    final List<Deployment> savedWithTheEnd = new ArrayList<>();

    /**
     * @param lockValid  whether this instance still holds the app's lock; checked before every
     *                   phase, so that an instance that lost it stops and leaves the rest to the
     *                   instance that took it
     * @param appHistory the app's deployments as listed under the lock, this one among them
     */
    public Run(Deployment deployment, WorkloadSpec spec, BooleanSupplier lockValid, List<Deployment> appHistory) {
        this.deployment = deployment;
        this.descriptor = deployment.descriptor();
        this.frontend = BlueGreenPlanner.frontend(descriptor);
        this.spec = spec;
        this.lockValid = lockValid;
        this.appHistory = List.copyOf(appHistory);
    }

    /** A run that only reports pods (no lock, no history: it changes nothing). */
    public Run(Deployment deployment, WorkloadSpec spec) {
        this(deployment, spec, () -> true, List.of());
    }

    public Deployment deployment() {
        return deployment;
    }

    /** Asks to switch back to blue; possible only while draining. */
    public synchronized boolean requestRollback(String by) {
        if (deployment.phase() != DeploymentPhase.DRAINING || rollbackRequestedBy != null) {
            return false;
        }
        rollbackRequestedBy = by;
        rollbackSignal.countDown();
        return true;
    }

    String id() {
        return deployment.id();
    }

    /**
     * Gives the run's load-balancer commands ids that no earlier run of the deployment used.
     * lb-config-service answers a command id once (a redelivery it has answered is ignored), so a
     * run that continues where a stopped deployer left must not wait for an answer given to its
     * predecessor.
     */
    void useNewCommandIds() {
        commandTag = "run-" + Long.toString(System.currentTimeMillis(), 36);
    }

    /** Whether the run continues where an earlier run of the deployment stopped. */
    boolean continuesAnEarlierRun() {
        return commandTag != null;
    }

    /** The id of the run's load-balancer command for that step, e.g. {@code <deployment id>.switch-frontend}. */
    String commandId(String step) {
        String tag = commandTag;
        return id() + "." + step + (tag == null ? "" : "." + tag);
    }

    String backendId() {
        return BlueGreenPlanner.backendId(deployment.namespace(), deployment.appName(), deployment.version());
    }

    /** Records blue (null for a first deployment) and its frontend. */
    void setBlue(Deployment servingVersion) {
        blueFrontend = servingVersion == null ? null : BlueGreenPlanner.frontend(servingVersion.descriptor());
        blue = servingVersion;
    }

    /**
     * Blue's backend if blue is served under that host name (a {@link HostName} is lower-cased, so
     * a descriptor that changes only the case of its frontend keeps blue's).
     */
    String blueBackendOn(HostName host) {
        if (blueFrontend == null || !blueFrontend.host().equals(host)) {
            return null;
        }
        return BlueGreenPlanner.backendId(blue.namespace(), blue.appName(), blue.version());
    }

    /** Whether green is served under that host name. */
    boolean greenServesOn(HostName host) {
        return frontend != null && frontend.host().equals(host);
    }

    /** Throws {@link LockLost} once this instance may no longer hold the app's lock. */
    void checkLock(DeploymentPhase next) {
        if (!lockValid.getAsBoolean()) {
            throw new LockLost(next);
        }
    }
}
