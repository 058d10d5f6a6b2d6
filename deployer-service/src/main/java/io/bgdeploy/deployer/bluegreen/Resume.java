package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;

/**
 * Continues a deployment that a deployer left unfinished (it stopped, or lost the app's lock):
 * before a confirmed switch it is rolled back (green removed once the load balancer confirms it
 * serves no traffic, blue untouched); after it, the stable address is made to select green, the
 * rest of the drain is waited (a rollback is still possible), then blue is removed and it ends
 * DEPLOYED.
 */
final class Resume {

    private final DeploymentStore store;
    private final Platform platform;
    private final PodReporters reporters;
    private final StableAddress stable;
    private final StepChain chain;
    private final Rollback rollback;
    private final Journal journal;

    Resume(DeploymentStore store, Platform platform, PodReporters reporters, StableAddress stable, StepChain chain,
           Rollback rollback, Journal journal) {
        this.store = store;
        this.platform = platform;
        this.reporters = reporters;
        this.stable = stable;
        this.chain = chain;
        this.rollback = rollback;
        this.journal = journal;
    }

    /** @param instance the deployer instance that continues it */
    Deployment run(Run run, String instance) throws InterruptedException {
        Deployment d = run.deployment;
        journal.log(run, "deployer instance " + instance + " continues this deployment, left unfinished in phase "
                + d.phase() + " by a deployer that stopped");
        run.setBlue(d.blueVersion() == null ? null : store.list(d.namespace(), d.appName()).stream()
                .filter(x -> d.blueVersion().equals(x.version()) && !x.id().equals(d.id()))
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED)
                .findFirst().orElse(null));
        run.greenCreated = true;
        switch (d.phase()) {
            case DRAINING, REMOVING_BLUE -> {
                run.switchAttempted = true;
                run.switched = true;
                platform.attach(d.namespace(), run.spec.name(), reporters.of(run));
                stable.pointAt(run, run.spec);
                return chain.runFrom(run, d.phase() == DeploymentPhase.DRAINING ? "drain" : "remove-blue");
            }
            default -> {
                run.switchAttempted = d.phase() == DeploymentPhase.SWITCHING || d.phase() == DeploymentPhase.ROLLING_BACK;
                // report green's pods as gone when the rollback deletes them, as an uninterrupted run would
                platform.attach(d.namespace(), run.spec.name(), reporters.of(run));
                return rollback.run(run, "the deployer stopped during " + d.phase());
            }
        }
    }
}
