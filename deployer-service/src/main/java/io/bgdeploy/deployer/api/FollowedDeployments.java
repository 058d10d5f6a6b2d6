package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.LogLine;
import io.bgdeploy.deployer.model.PodHealthRecord;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Reads each deployment that live streams follow once per poll, whatever the number of streams
 * that follow it, and shows every one of them what it read: a hundred people watching one
 * deployment cost the store what one does. The poll of a deployment starts with its first viewer
 * and stops with its last.
 */
final class FollowedDeployments implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FollowedDeployments.class);

    /** One read of a followed deployment; {@code deployment} is empty once it was deleted. */
    record View(Optional<Deployment> deployment, List<LogLine> log, List<PodHealthRecord> health, boolean runningHere) {
    }

    /** A stream following a deployment. */
    interface Viewer {
        void show(View view);
    }

    private final DeploymentStore store;
    private final Predicate<String> runningHere;
    private final long pollMillis;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "deployment-stream");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Followed> followed = new HashMap<>();
    private final AtomicLong reads = new AtomicLong();

    /**
     * @param runningHere whether this instance runs a deployment (by id) now: a stream ends only once
     *                    the deployment is final and no longer run here
     */
    FollowedDeployments(DeploymentStore store, Predicate<String> runningHere, long pollMillis) {
        this.store = store;
        this.runningHere = runningHere;
        this.pollMillis = pollMillis;
    }

    /** Shows {@code viewer} the deployment at every poll until the returned handle is closed. */
    AutoCloseable follow(String namespace, String id, Viewer viewer) {
        String key = namespace + "/" + id;
        Followed f;
        synchronized (followed) {
            f = followed.computeIfAbsent(key, k -> new Followed(namespace, id));
            f.viewers.add(viewer);
            if (f.task == null) {
                f.task = timer.scheduleWithFixedDelay(f::poll, 0, pollMillis, TimeUnit.MILLISECONDS);
            }
        }
        Followed following = f;
        return () -> unfollow(key, following, viewer);
    }

    private void unfollow(String key, Followed f, Viewer viewer) {
        synchronized (followed) {
            f.viewers.remove(viewer);
            if (f.viewers.isEmpty() && f.task != null) {
                f.task.cancel(false);
                followed.remove(key, f);
            }
        }
    }

    /** Deployments followed now. */
    int followedCount() {
        synchronized (followed) {
            return followed.size();
        }
    }

    /** Reads of the store made so far, one per poll of a followed deployment. */
    long reads() {
        return reads.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private final class Followed {
        private final String namespace;
        private final String id;
        private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
        private ScheduledFuture<?> task;

        Followed(String namespace, String id) {
            this.namespace = namespace;
            this.id = id;
        }

        void poll() {
            if (viewers.isEmpty()) {
                return;
            }
            View view;
            try {
                reads.incrementAndGet();
                Optional<Deployment> d = store.find(namespace, id);
                view = d.isEmpty() ? new View(d, List.of(), List.of(), false)
                        : new View(d, store.logLines(namespace, id), store.health(namespace, id), runningHere.test(id));
            } catch (RuntimeException e) {
                LOG.warnf("live stream of deployment %s: %s", id, e.getMessage());
                return;
            }
            for (Viewer viewer : viewers) {
                try {
                    viewer.show(view);
                } catch (RuntimeException e) {
                    LOG.warnf("live stream of deployment %s: %s", id, e.getMessage());
                }
            }
        }
    }
}
