package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.events.deploy.DeploymentPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * DRAINING: keeps blue until the drain deadline stored with the deployment (so a deployment
 * continued after a restart waits only the rest of it), switching back at once when someone asks,
 * here or on another deployer instance (through the store).
 */
final class DrainBlue extends Step {

    static final String NAME = "drain";

    /** How often the drain looks for a rollback asked of another deployer instance. */
    private static final Duration ROLLBACK_POLL = Duration.ofMillis(250);

    private final DeploymentStore store;
    private final Duration drainDelay;
    private final Journal journal;

    DrainBlue(DeploymentStore store, Duration drainDelay, Journal journal) {
        super(NAME, DeploymentPhase.DRAINING);
        this.store = store;
        this.drainDelay = drainDelay;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws InterruptedException {
        if (run.blue == null) {
            journal.log(run, "no blue version: nothing to drain");
            return;
        }
        Instant until = run.deployment.drainUntil() != null ? run.deployment.drainUntil()
                : Instant.now().plus(drainDelay);
        journal.log(run, "blue version " + run.blue.version() + " keeps running until " + until + " ("
                + Math.max(0, Duration.between(Instant.now(), until).toMillis())
                + " ms): a rollback switches back instantly until then");
        while (true) {
            Optional<String> elsewhere = store.rollbackRequest(run.deployment.namespace(), run.id());
            if (elsewhere.isPresent()) {
                throw new RollbackRequested(elsewhere.get());
            }
            long left = Duration.between(Instant.now(), until).toNanos();
            if (left <= 0) {
                return;
            }
            if (run.rollbackSignal.await(Math.min(left, ROLLBACK_POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                throw new RollbackRequested(run.rollbackRequestedBy);
            }
        }
    }
}
