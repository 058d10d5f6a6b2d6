package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;

/**
 * Continues a deployment that a deployer left unfinished (it stopped, or lost the app's lock) from
 * the phase it was in, as if it had not stopped: green is created if it is not there yet, its
 * health awaited (with the health its predecessor stored), the switch (with green's backend) sent again
 * (under a new command id; a switch that was applied already is confirmed again), then drained and
 * blue removed. A deployment that was rolling back is rolled back to its end. Blue serves until the
 * switch is confirmed, and a step that fails rolls the deployment back as in an uninterrupted run.
 */
final class Resume {

    private final Platform platform;
    private final PodReporters reporters;
    private final StableAddress stable;
    private final StepChain chain;
    private final Rollback rollback;
    private final Journal journal;

    Resume(Platform platform, PodReporters reporters, StableAddress stable, StepChain chain,
           Rollback rollback, Journal journal) {
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
        run.useNewCommandIds();
        run.setBlue(d.blueVersion() == null ? null : run.appHistory.stream()
                .filter(x -> d.blueVersion().equals(x.version()) && !x.id().equals(d.id()))
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED)
                .findFirst().orElse(null));
        boolean greenExists = platform.exists(d.namespace(), run.spec.name());
        run.greenCreated = greenExists || d.phase() != DeploymentPhase.CREATING_GREEN;
        if (greenExists) {
            // report green's pods (and their end, should it be rolled back) as an uninterrupted run would
            platform.attach(d.namespace(), run.spec.name(), reporters.of(run));
        }
        switch (d.phase()) {
            case CREATING_GREEN, WAITING_FOR_HEALTH -> {
                if (!greenExists) {
                    journal.log(run, "green workload " + run.spec.name() + " is not there: creating it");
                    return chain.runFrom(run, CreateGreen.NAME);
                }
                return chain.runFrom(run, WaitForHealth.NAME);
            }
            case SWITCHING -> {
                // the switch may have been applied: a rollback from here switches back first
                run.switchAttempted = true;
                return chain.runFrom(run, SwitchTraffic.NAME);
            }
            case DRAINING, REMOVING_BLUE -> {
                run.switchAttempted = true;
                run.switched = true;
                stable.pointAt(run, run.spec);
                return chain.runFrom(run, d.phase() == DeploymentPhase.DRAINING ? DrainBlue.NAME : RemoveBlue.NAME);
            }
            default -> {
                run.switchAttempted = d.phase() == DeploymentPhase.ROLLING_BACK;
                return rollback.run(run, "the deployer stopped during " + d.phase());
            }
        }
    }
}
