package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The blue-green deployment of one version as a chain of named steps, each in its phase. A step
 * that fails before the switch rolls the deployment back; after it, green serves and the
 * deployment ends DEPLOYED with the problem in its log.
 */
final class StepChain {

    private static final Logger LOG = Logger.getLogger(StepChain.class);

    private final List<Step> steps;
    private final Rollback rollback;
    private final Journal journal;

    StepChain(List<Step> steps, Rollback rollback, Journal journal) {
        this.steps = List.copyOf(steps);
        this.rollback = rollback;
        this.journal = journal;
    }

    /** Runs an accepted deployment to its end; the caller holds the app's lock. */
    Deployment run(Run run) throws InterruptedException {
        return runFrom(run, 0);
    }

    /** Runs the steps from the one with that name on. */
    Deployment runFrom(Run run, String stepName) throws InterruptedException {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(stepName)) {
                return runFrom(run, i);
            }
        }
        throw new IllegalArgumentException("no step " + stepName);
    }

    private Deployment runFrom(Run run, int firstStep) throws InterruptedException {
        for (int i = firstStep; i < steps.size(); i++) {
            Step step = steps.get(i);
            long t0 = System.nanoTime();
            try {
                journal.enterPhase(run, step.phase(), null);
                step.run(run);
                journal.log(run, "step " + step.name() + " done in " + millisSince(t0) + " ms");
            } catch (StepFailed | EventSink.NotPublished e) {
                journal.log(run, "step " + step.name() + " failed after " + millisSince(t0) + " ms: " + e.getMessage());
                if (run.switched) {
                    return journal.finishDeployedDespite(run, step.name() + " failed: " + e.getMessage());
                }
                return rollback.run(run, e.getMessage());
            } catch (RollbackRequested r) {
                return rollback.run(run, "rolled back on request of " + r.by);
            } catch (LockLost e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.errorf(e, "deployment %s: step %s failed unexpectedly", run.id(), step.name());
                journal.log(run, "step " + step.name() + " failed: " + e);
                if (run.switched) {
                    return journal.finishDeployedDespite(run, step.name() + " failed: " + e);
                }
                return rollback.run(run, "internal error in step " + step.name() + ": " + e);
            }
        }
        return journal.finish(run, DeploymentStatus.DEPLOYED, null);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
