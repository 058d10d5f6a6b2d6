package io.bgdeploy.deployer.config;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.bluegreen.DeploymentRunner;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.messaging.DeploymentMetrics;
import io.bgdeploy.deployer.scheduling.AppRecovery;
import io.bgdeploy.deployer.scheduling.AppScheduler;
import io.bgdeploy.deployer.scheduling.Recovery;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.store.EtcdAppLocks;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Says what the deployer connected to, removes orphaned workloads, re-attaches the pods of serving
 * versions, starts again those the platform lost (the local platform stops its pods with it) and
 * resumes (or rolls back) unfinished deployments; then, every takeover interval,
 * continues those that a stopped instance left behind.
 */
@ApplicationScoped
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    private final Recovery recovery;
    /** Set once the startup work is done: before that, messaging may not be connected yet. */
    private volatile boolean started;

    public Startup(Recovery recovery) {
        this.recovery = recovery;
    }

    void onStart(@Observes StartupEvent event, Platform platform, DeployerConfig config, EtcdAppLocks locks,
                 DeploymentStore store, DeploymentMetrics metrics, RequestIntake intake, AppScheduler scheduler,
                 DeploymentRunner runner, AppRecovery appRecovery, HealthBoard board,
                 @ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> etcd,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String kafka) {
        // registered before the recovery below counts anything, and before any request arrives
        metrics.bind(intake, scheduler, runner, appRecovery, board);
        LOG.infof("deployer-service instance %s: platform %s, etcd %s, Kafka %s, health deadline %s, drain delay %s,"
                        + " lock mode %s, takeover after %s", locks.owner(), platform.name(), etcd, kafka,
                config.healthDeadline(), config.drainDelay(), config.lockMode(), config.instance().lockTtl());
        int indexed = store.indexOlderDeployments();
        if (indexed > 0) {
            LOG.infof("indexed %d deployments recorded by an older deployer", indexed);
        }
        recovery.removeOrphans();
        recovery.reattachServing();
        recovery.restoreServing();
        recovery.resumeUnowned();
        started = true;
    }

    /**
     * Releases this instance's app locks on a clean stop (before the etcd client closes), so that
     * another instance takes its apps over without waiting for the lease to expire.
     */
    void onStop(@Observes ShutdownEvent event, EtcdAppLocks locks) {
        locks.close();
    }

    /**
     * Continues the deployments of instances that stopped, once their locks have expired. The
     * scheduler may fire before the startup work (and the Kafka emitters it needs) is done: then
     * it waits for the next interval.
     */
    @Scheduled(every = "${deployer.instance.takeover-interval:5s}", delayed = "${deployer.instance.takeover-interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void takeOver() {
        onceStarted("looking for deployments left by stopped instances", recovery::resumeUnowned);
    }

    /**
     * Deletes the workloads this instance manages that no deployment owns any more, as at startup:
     * on the local platform a version replaced by another instance keeps the pods this one started.
     */
    @Scheduled(every = "${deployer.instance.orphan-sweep-interval:30s}", delayed = "${deployer.instance.orphan-sweep-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweepOrphans() {
        onceStarted("looking for orphaned workloads", recovery::removeOrphans);
    }

    /** Periodic work: skipped until the startup work is done; a failure is logged and tried again at the next interval. */
    private void onceStarted(String what, Runnable work) {
        if (!started) {
            return;
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warnf("%s failed (%s): trying again later", what, e.getMessage());
        }
    }
}
