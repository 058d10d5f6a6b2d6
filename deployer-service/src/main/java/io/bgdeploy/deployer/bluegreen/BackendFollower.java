package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.UpsertBackend;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the load-balancer backend of a serving version on that version's ready pods when they
 * change outside a deployment: a pod replaced on Kubernetes (a new address), the pods the local
 * platform starts again after a restart (new ports). A while after the pods last changed it sends
 * the same {@link UpsertBackend} the switch sends (with a new command id) if the ready pods differ
 * from the servers the backend has; while new pods are not serving yet it looks again, less and less
 * often; a command the load balancer does not confirm is sent again later. Versions that do not serve (a deployment
 * before its switch, or rolling back) are left to their deployment.
 */
public final class BackendFollower {

    private static final Logger LOG = Logger.getLogger(BackendFollower.class);
    /** How long pods must stay unchanged before the backend follows (replicas start one after another). */
    private static final Duration SETTLE = Duration.ofMillis(300);
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final Duration PENDING_PAUSE_MIN = Duration.ofSeconds(1);
    private static final Duration PENDING_PAUSE_MAX = Duration.ofSeconds(15);

    private final Platform platform;
    private final LoadBalancer lb;
    private final HealthBoard board;
    private final DeploymentStore store;
    private final Duration lbTimeout;
    private final Executor executor;
    private final Map<String, Followed> followed = new ConcurrentHashMap<>();
    private final AtomicLong commands = new AtomicLong();

    /** One followed deployment and the servers its backend has, as far as this instance knows. */
    private static final class Followed {
        private final String namespace;
        private final String deploymentId;
        private final WorkloadSpec spec;
        private final Descriptor descriptor;
        /** Null until known: then the first settled pods are taken as what the backend has. */
        private Set<ServerSpec> known;
        private boolean outdated;
        private boolean scheduled;
        private long pendingPause;
        private boolean recheckScheduled;
        /** Held while an update is decided and sent, and by {@link #stop}: no update goes out after a stop. */
        private final Object sending = new Object();
        /** Guarded by {@link #sending}. */
        private boolean stopped;

        private Followed(String namespace, String deploymentId, WorkloadSpec spec, Descriptor descriptor) {
            this.namespace = namespace;
            this.deploymentId = deploymentId;
            this.spec = spec;
            this.descriptor = descriptor;
        }
    }

    /**
     * @param lbTimeout      how long the load balancer may take to confirm an update
     * @param executor       runs the updates (they wait for health results and for the load balancer)
     */
    public BackendFollower(Platform platform, LoadBalancer lb, HealthBoard board, DeploymentStore store,
                           Duration lbTimeout, Executor executor) {
        this.platform = platform;
        this.lb = lb;
        this.board = board;
        this.store = store;
        this.lbTimeout = lbTimeout;
        this.executor = executor;
    }

    /**
     * Follows the pods of a deployment: one in progress (its switch tells what the backend has,
     * {@link #sent}), or one whose pods were re-attached after a restart (the pods as they first
     * settle are taken as what the backend has).
     */
    public void follow(Deployment d, WorkloadSpec spec) {
        followed.computeIfAbsent(d.id(), id -> new Followed(d.namespace(), id, spec, d.descriptor()));
    }

    /** Follows the pods of a deployment whose pods were started again: its backend names pods that are gone. */
    public void followOutdated(Deployment d, WorkloadSpec spec) {
        Followed f = new Followed(d.namespace(), d.id(), spec, d.descriptor());
        synchronized (f) {
            f.outdated = true;
        }
        followed.put(d.id(), f);
    }

    /** The deployment itself sent its backend with these servers (at its switch). */
    public void sent(String deploymentId, List<ServerSpec> servers) {
        Followed f = followed.get(deploymentId);
        if (f != null) {
            synchronized (f) {
                f.known = Set.copyOf(servers);
                f.outdated = false;
            }
        }
    }

    /**
     * Stops following a deployment whose backend is about to be removed. Returns once no update of
     * it is on its way (waiting for one being sent), so that none can bring the backend back after
     * the removal: an update decided while the version still served would otherwise reach the load
     * balancer after its {@code RemoveBackend} and leave the backend there.
     */
    public void stop(String deploymentId) {
        Followed f = followed.remove(deploymentId);
        if (f == null) {
            return;
        }
        synchronized (f.sending) {
            f.stopped = true;
        }
    }

    /** A pod of the deployment runs, or is gone. */
    public void podsChanged(String deploymentId) {
        Followed f = followed.get(deploymentId);
        if (f == null) {
            return;
        }
        synchronized (f) {
            if (f.scheduled) {
                return;
            }
            f.scheduled = true;
        }
        CompletableFuture.runAsync(() -> settle(f), CompletableFuture.delayedExecutor(SETTLE.toMillis(),
                TimeUnit.MILLISECONDS, executor));
    }

    private void settle(Followed f) {
        synchronized (f) {
            f.scheduled = false;
        }
        try {
            Deployment d = store.find(f.namespace, f.deploymentId).orElse(null);
            if (d == null || d.status() == DeploymentStatus.FAILURE || d.status() == DeploymentStatus.UNDEPLOYED) {
                followed.remove(f.deploymentId);
                return;
            }
            Set<ServerSpec> known;
            synchronized (f) {
                if (!BlueGreenPlanner.serves(d)) {
                    return;
                }
                if (f.known == null && !f.outdated) {
                    // pods re-attached after a restart: what runs is taken as what the backend has
                    f.known = runningServers(f);
                    return;
                }
                known = f.known;
            }
            Readiness readiness = readiness(f, known);
            Set<ServerSpec> ready = readiness.ready();
            synchronized (f) {
                if (readiness.pending()) {
                    // new pods not serving yet: look again, less and less often (health changes do not call here)
                    scheduleRecheck(f);
                } else {
                    f.pendingPause = 0;
                }
                if (ready.isEmpty() || !f.outdated && ready.equals(f.known)) {
                    return;
                }
            }
            synchronized (f.sending) {
                if (f.stopped) {
                    return;
                }
                update(f, d, ready);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("deployment %s: the backend could not follow its pods (%s); trying again in %s", f.deploymentId,
                    e.getMessage(), RETRY);
            retryLater(f);
        }
    }

    /** The servers the backend should have now, and whether pods it lacks may still become ready. */
    private record Readiness(Set<ServerSpec> ready, boolean pending) {
    }

    /**
     * The running pods the backend should have: without a health check every one; with one, those
     * whose last health result is serving, and those the backend has already whose health is not
     * known here (an instance that started after them hears only of changes). A running pod the
     * backend does not have, whose health is not serving (yet), is pending.
     */
    private Readiness readiness(Followed f, Set<ServerSpec> known) {
        boolean check = f.descriptor.useHealthCheck() && !f.descriptor.ignoreHealthCheck();
        Set<String> knownPods = new HashSet<>();
        if (known != null) {
            known.forEach(s -> knownPods.add(s.name()));
        }
        HealthBoard.Snapshot health = board.snapshot(f.deploymentId);
        Set<ServerSpec> ready = new HashSet<>();
        boolean pending = false;
        int port = f.spec.servingPort();
        for (PodInfo pod : platform.pods(f.namespace, f.spec.name())) {
            var h = health.health().get(pod.name());
            boolean include;
            if (!check) {
                include = true;
            } else if (h != null) {
                include = h.state().isServing();
            } else {
                include = knownPods.contains(pod.name());
            }
            if (include) {
                ready.add(new ServerSpec(pod.name(), pod.address(), pod.reachablePort(port)));
            } else if (!knownPods.contains(pod.name())) {
                pending = true;
            }
        }
        return new Readiness(ready, pending);
    }

    private Set<ServerSpec> runningServers(Followed f) {
        Set<ServerSpec> running = new HashSet<>();
        int port = f.spec.servingPort();
        platform.pods(f.namespace, f.spec.name()).forEach(p -> running.add(new ServerSpec(p.name(), p.address(),
                p.reachablePort(port))));
        return running;
    }

    private void update(Followed f, Deployment d, Set<ServerSpec> ready) throws InterruptedException {
        var backend = BlueGreenPlanner.backend(f.descriptor, d.version(), List.copyOf(ready));
        String commandId = f.deploymentId + ".servers-" + Long.toString(System.currentTimeMillis(), 36) + "-"
                + commands.incrementAndGet();
        LoadBalancer.Answer answer = lb.apply(new UpsertBackend(commandId, f.deploymentId, d.namespace(), d.appName(),
                backend), lbTimeout);
        if (answer.applied()) {
            synchronized (f) {
                f.known = ready;
                f.outdated = false;
            }
            String line = "backend " + backend.id() + " follows the pods of version " + d.version() + ": "
                    + ready.stream().map(s -> s.address() + ":" + s.port()).sorted().toList();
            LOG.infof("deployment %s: %s", f.deploymentId, line);
            store.appendLog(d.namespace(), f.deploymentId, Instant.now() + " " + line);
        } else {
            LOG.warnf("deployment %s: backend %s not updated to its pods (%s: %s); trying again in %s", f.deploymentId,
                    backend.id(), answer.outcome(), answer.reason(), RETRY);
            synchronized (f) {
                f.outdated = true;
            }
            retryLater(f);
        }
    }

    /** One pending re-check at a time, whatever number of pod changes asked for one. Called holding f's lock. */
    private void scheduleRecheck(Followed f) {
        if (f.recheckScheduled) {
            return;
        }
        f.recheckScheduled = true;
        f.pendingPause = f.pendingPause == 0 ? PENDING_PAUSE_MIN.toMillis()
                : Math.min(f.pendingPause * 2, PENDING_PAUSE_MAX.toMillis());
        CompletableFuture.runAsync(() -> {
            synchronized (f) {
                f.recheckScheduled = false;
            }
            podsChanged(f.deploymentId);
        }, CompletableFuture.delayedExecutor(f.pendingPause, TimeUnit.MILLISECONDS, executor));
    }

    private void retryLater(Followed f) {
        CompletableFuture.runAsync(() -> podsChanged(f.deploymentId), CompletableFuture.delayedExecutor(RETRY.toMillis(),
                TimeUnit.MILLISECONDS, executor));
    }
}
