package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.Descriptor;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * A deployment in progress: the state its steps share, and the handle to ask for a rollback
 * while blue still runs.
 */
public final class Run {
    volatile Deployment deployment;
    final Descriptor descriptor;
    final WorkloadSpec spec;
    volatile Deployment blue;
    volatile boolean switchAttempted;
    volatile boolean switched;
    volatile boolean greenCreated;
    volatile String rollbackRequestedBy;
    final CountDownLatch rollbackSignal = new CountDownLatch(1);
    Instant phaseStarted = Instant.now();
    final Instant started = Instant.now();
    final BooleanSupplier lockValid;

    /**
     * @param lockValid whether this instance still holds the app's lock; checked before every
     *                  phase, so that an instance that lost it stops and leaves the rest to the
     *                  instance that took it
     */
    public Run(Deployment deployment, WorkloadSpec spec, BooleanSupplier lockValid) {
        this.deployment = deployment;
        this.descriptor = deployment.descriptor();
        this.spec = spec;
        this.lockValid = lockValid;
    }

    /** A run that only reports pods (no lock: it changes nothing). */
    public Run(Deployment deployment, WorkloadSpec spec) {
        this(deployment, spec, () -> true);
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

    String backendId() {
        return BlueGreenPlanner.backendId(deployment.namespace(), deployment.appName(), deployment.version());
    }

    /** Blue's backend if blue is served under that host name. */
    String blueBackendOn(String hostname) {
        if (blue == null || !Objects.equals(blue.descriptor().frontend(), hostname)) {
            return null;
        }
        return BlueGreenPlanner.backendId(blue.namespace(), blue.appName(), blue.version());
    }

    /** Throws {@link LockLost} once this instance may no longer hold the app's lock. */
    void checkLock(DeploymentPhase next) {
        if (!lockValid.getAsBoolean()) {
            throw new LockLost(next);
        }
    }
}
