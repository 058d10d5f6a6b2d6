package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.UndeployRequest;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one unfinished deployment from where it stands: a new one through the steps, an undeploy,
 * or one a stopped deployer left (resumed or rolled back). Assembles the flow's parts; the caller
 * holds the app's lock.
 */
public final class DeploymentRunner {

    private static final Logger LOG = Logger.getLogger(DeploymentRunner.class);

    private final DeploymentStore store;
    private final StepChain chain;
    private final Resume resume;
    private final Undeploy undeploy;
    private final AtomicLong takeovers = new AtomicLong();

    public DeploymentRunner(Platform platform, LoadBalancer lb, HealthBoard board, EventSink sink,
                            DeploymentStore store, FlowSettings settings, BackendFollower backends,
                            PodReporters reporters) {
        this.store = store;
        Journal journal = new Journal(store, sink, board, settings.drainDelay());
        LbCommands commands = new LbCommands(lb, settings.lbTimeout(), journal);
        StableAddress stable = new StableAddress(platform, journal);
        Rollback rollback = new Rollback(platform, commands, stable, journal, backends);
        this.chain = new StepChain(List.of(
                new FindBlue(store, platform, journal),
                new CreateGreen(platform, reporters, journal),
                new WaitForHealth(board, store, settings.healthDeadline(), journal),
                new SwitchTraffic(platform, commands, backends, journal),
                new RouteStable(stable),
                new DrainBlue(store, settings.drainDelay(), journal),
                new RemoveBlue(platform, commands, board, store, journal, backends)), rollback, journal);
        this.resume = new Resume(platform, reporters, stable, chain, rollback, journal);
        this.undeploy = new Undeploy(platform, commands, stable, journal, backends);
    }

    /**
     * Runs the deployment to its end.
     *
     * @param instance this deployer instance (for the log)
     * @throws LockLost when this instance may no longer hold the app's lock: another continues it
     */
    public Deployment run(Run run, String instance) throws InterruptedException {
        Deployment d = run.deployment();
        if (d.status() == DeploymentStatus.UNDEPLOYING) {
            if (d.phase() == DeploymentPhase.UNDEPLOYING) {
                run.useNewCommandIds(); // a run before this one got this far and stopped
            }
            Optional<UndeployRequest> request = store.undeployRequest(d.namespace(), d.id());
            Deployment done = undeploy.run(run, request.map(UndeployRequest::by).orElse("an undeploy request"));
            if (request.filter(UndeployRequest::forget).isPresent()) {
                store.delete(d.namespace(), d.id());
            }
            return done;
        }
        if (d.phase() == DeploymentPhase.PREPARING) {
            return chain.run(run);
        }
        takeovers.incrementAndGet();
        LOG.infof("deployment %s (%s version %s) was left %s in phase %s by a stopped deployer: instance %s"
                + " continues it", d.id(), d.appKey(), d.version(), d.status(), d.phase(), instance);
        return resume.run(run, instance);
    }

    /** Deployments this instance continued after the deployer that ran them stopped. */
    public long takeovers() {
        return takeovers.get();
    }
}
