package io.bgdeploy.deployer.scheduling;

import io.bgdeploy.deployer.bluegreen.DeploymentRunner;
import io.bgdeploy.deployer.bluegreen.LockLost;
import io.bgdeploy.deployer.bluegreen.Run;
import io.bgdeploy.deployer.bluegreen.WorkloadSpecs;
import io.bgdeploy.deployer.model.AppLocks;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HistoryRetention;
import io.bgdeploy.deployer.model.RunLocks;
import io.bgdeploy.events.Keys;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs each app's unfinished deployments one after the other, in the order the store accepted
 * them (etcd create revision), on the instance that holds the app's run lock; different apps run
 * in parallel. An app is queued here at most once at a time; the instance that cannot take the
 * lock leaves the app to the one that holds it.
 */
public final class AppScheduler {

    private static final Logger LOG = Logger.getLogger(AppScheduler.class);

    private final DeploymentStore store;
    private final RunLocks locks;
    private final ExecutorService executor;
    private final DeploymentRunner runner;
    private final WorkloadSpecs specs;
    private final AppRecovery recovery;
    private final HistoryRetention retention;
    private final Map<String, CompletableFuture<Void>> appQueues = new HashMap<>();
    private final Map<String, Run> active = new ConcurrentHashMap<>();
    private final AtomicLong lockLosses = new AtomicLong();

    /**
     * @param recovery what is done with an app's workloads each time this instance takes its run
     *                 lock, before its deployments run
     */
    public AppScheduler(DeploymentStore store, RunLocks locks, ExecutorService executor, DeploymentRunner runner,
                        WorkloadSpecs specs, AppRecovery recovery, HistoryRetention retention) {
        this.retention = retention;
        this.store = store;
        this.locks = locks;
        this.executor = executor;
        this.runner = runner;
        this.specs = specs;
        this.recovery = recovery;
    }

    /**
     * Has this instance run the app's unfinished deployments, in the order they were accepted, if
     * it can take the app's run lock; otherwise the instance that holds it runs them. A deployment
     * that does not finish (an unexpected error) holds up the ones behind it until it is tried
     * again.
     */
    public void schedule(String appKey) {
        synchronized (appQueues) {
            CompletableFuture<Void> tail = appQueues.getOrDefault(appKey, CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next = tail.handleAsync((ignored, error) -> {
                runApp(appKey);
                return null;
            }, executor);
            appQueues.put(appKey, next);
            next.whenComplete((ignored, error) -> {
                synchronized (appQueues) {
                    appQueues.remove(appKey, next);
                }
            });
        }
    }

    /** Schedules the app unless it is queued here already. */
    void scheduleIfIdle(String appKey) {
        synchronized (appQueues) {
            if (appQueues.containsKey(appKey)) {
                return;
            }
        }
        schedule(appKey);
    }

    private void runApp(String appKey) {
        Keys.AppRef app = Keys.parseApp(appKey);
        Optional<RunLocks.Running> lock;
        try {
            lock = locks.tryTake(app.namespace(), app.appName());
        } catch (RuntimeException e) {
            LOG.warnf("cannot take the lock of %s (%s): trying again in a moment", appKey, e.getMessage());
            return;
        }
        if (lock.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        try (RunLocks.Running held = lock.get()) {
            // one listing, read with the lock, serves the recovery and the choice of the next deployment; a new one after each run
            List<Deployment> history = held.history();
            recovery.onLockTaken(app, history);
            while (held.valid()) {
                Optional<Deployment> next = firstUnfinished(history);
                // one that did not finish here (an unexpected error) is tried again later, never overtaken
                if (next.isEmpty() || !seen.add(next.get().id())) {
                    break;
                }
                runOne(next.get(), history, held);
                history = store.list(app.namespace(), app.appName());
            }
            if (!seen.isEmpty() && held.valid()) {
                forgetOld(app, history);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "deployments of %s stopped with an unexpected error; they are tried again", appKey);
        }
        // A deployment recorded while the lock was about to be released found the lock taken: look again.
        boolean left;
        try {
            left = firstUnfinished(store.list(app.namespace(), app.appName())).filter(d -> !seen.contains(d.id()))
                    .isPresent();
        } catch (RuntimeException e) {
            left = false;
        }
        if (left && !Thread.currentThread().isInterrupted()) {
            schedule(appKey);
        }
    }

    /**
     * Removes what the app's history no longer keeps (by the lock holder, once its deployments ran),
     * read from the listing that found nothing left to run: a deployment accepted since is not in
     * it, and the retention never removes one that is unfinished anyway.
     */
    private void forgetOld(Keys.AppRef app, List<Deployment> history) {
        try {
            List<Deployment> old = retention.toForget(history);
            for (Deployment d : old) {
                store.delete(d.namespace(), d.id());
            }
            if (!old.isEmpty()) {
                LOG.infof("%d older deployment(s) of %s/%s removed with their logs: the history keeps the newest %d and"
                        + " every version still deployed", old.size(), app.namespace(), app.appName(), retention.keep());
            }
        } catch (RuntimeException e) {
            LOG.warnf("the history of %s/%s was not trimmed this time: %s", app.namespace(), app.appName(), e.getMessage());
        }
    }

    /** The app's unfinished deployment accepted first: the only one that may run now. */
    private static Optional<Deployment> firstUnfinished(List<Deployment> history) {
        return history.stream().filter(BlueGreenPlanner::unfinished).findFirst();
    }

    private void runOne(Deployment d, List<Deployment> history, AppLocks.Held held) {
        Run run = new Run(d, specs.of(d), held::valid, history);
        active.put(d.id(), run);
        try {
            store.appendLog(d.namespace(), d.id(), Instant.now() + " run by deployer instance " + locks.owner());
            runner.run(run, locks.owner());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("deployment %s interrupted (the deployer is stopping): it is continued at the next start, or by"
                    + " another instance", d.id());
        } catch (LockLost e) {
            lockLosses.incrementAndGet();
            LOG.warnf("deployment %s stopped in phase %s: instance %s lost the lock of %s, another instance continues it",
                    d.id(), e.phase(), locks.owner(), d.appKey());
        } catch (RuntimeException e) {
            LOG.errorf(e, "deployment %s ended with an unexpected error", d.id());
        } finally {
            active.remove(d.id());
        }
    }

    /** Whether the app is queued or running on this instance (its deployments, or a look for more). */
    public boolean busyWith(String appKey) {
        synchronized (appQueues) {
            return appQueues.containsKey(appKey);
        }
    }

    /** The run of a deployment in progress on this instance. */
    public Optional<Run> running(String deploymentId) {
        return Optional.ofNullable(active.get(deploymentId));
    }

    public boolean isRunning(String deploymentId) {
        return active.containsKey(deploymentId);
    }

    /** Deployments (and undeploys) this instance runs now. */
    public int runningCount() {
        return active.size();
    }

    /** Deployments this instance stopped because it no longer held the app's lock. */
    public long lockLosses() {
        return lockLosses.get();
    }
}
