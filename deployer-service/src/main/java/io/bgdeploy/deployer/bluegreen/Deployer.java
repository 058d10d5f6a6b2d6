package io.bgdeploy.deployer.bluegreen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.deployer.platform.Platform;
import io.bgdeploy.deployer.platform.WorkloadSpec;
import io.bgdeploy.deployer.store.Deployment;
import io.bgdeploy.deployer.store.DeploymentStore;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DescriptorValidator;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts deployments, runs them one app at a time (many apps in parallel), and offers rollback,
 * undeploy, redeploy and resume after a restart. Framework-free: the CDI wiring lives in
 * {@code config}.
 */
public final class Deployer {

    private static final Logger LOG = Logger.getLogger(Deployer.class);

    /** What to do with a deployment of an app that already has one in progress. */
    public enum LockMode { QUEUE, REFUSE }

    /** The answer to a deploy request. */
    public sealed interface Answer permits Accepted, Rejected {
    }

    public record Accepted(Deployment deployment, boolean repeated) implements Answer {
    }

    public record Rejected(String reason, List<String> problems, Kind kind) implements Answer {
        /** Why: the descriptor is wrong, or it conflicts with what runs. */
        public enum Kind { INVALID, CONFLICT }
    }

    private final Platform platform;
    private final DeploymentStore store;
    private final EventSink sink;
    private final BlueGreenFlow flow;
    private final ResourcePolicy resources;
    private final LockMode lockMode;
    private final ExecutorService executor;
    private final Map<String, CompletableFuture<Void>> appQueues = new java.util.HashMap<>();
    private final Map<String, Object> acceptLocks = new ConcurrentHashMap<>();
    private final Map<String, BlueGreenFlow.Run> active = new ConcurrentHashMap<>();

    public Deployer(Platform platform, DeploymentStore store, EventSink sink, BlueGreenFlow flow,
                    ResourcePolicy resources, LockMode lockMode, ExecutorService executor) {
        this.platform = platform;
        this.store = store;
        this.sink = sink;
        this.flow = flow;
        this.resources = resources;
        this.lockMode = lockMode;
        this.executor = executor;
    }

    public static LockMode lockMode(String configured) {
        try {
            return LockMode.valueOf(configured.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deployer.lock-mode '" + configured + "' is unknown: use queue or refuse", e);
        }
    }

    /** Every problem of a descriptor: its fields, the resource policy and the platform's own checks. */
    public List<String> validate(Descriptor d) {
        List<String> problems = new ArrayList<>();
        DescriptorValidator.validate(d).forEach(p -> problems.add(p.toString()));
        if (!problems.isEmpty()) {
            return problems;
        }
        ResourcePolicy.Result res = resources.apply(d.podspec());
        problems.addAll(res.problems());
        String version = Descriptor.NEXT_VERSION.equals(d.newVersion()) ? "1" : d.newVersion();
        problems.addAll(platform.check(BlueGreenPlanner.workload("validation", d, version, res.podspec(), Map.of())));
        return problems;
    }

    /** Validates, resolves the version and starts the deployment (or queues it behind the app's current one). */
    public Answer submit(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        List<String> problems = validate(descriptor);
        if (!problems.isEmpty()) {
            return new Rejected("the descriptor has " + problems.size() + " problem(s)", problems, Rejected.Kind.INVALID);
        }
        String appKey = descriptor.key();
        Deployment deployment;
        synchronized (acceptLocks.computeIfAbsent(appKey, k -> new Object())) {
            List<Deployment> history = store.list(descriptor.namespace(), descriptor.appName());
            if (requestId != null) {
                Optional<Deployment> seen = history.stream().filter(x -> requestId.equals(x.requestId())).findFirst();
                if (seen.isPresent()) {
                    return new Accepted(seen.get(), true);
                }
            }
            Optional<Deployment> inProgress = history.stream()
                    .filter(x -> x.status() == DeploymentStatus.DEPLOYING || x.status() == DeploymentStatus.UNDEPLOYING)
                    .findFirst();
            if (lockMode == LockMode.REFUSE && inProgress.isPresent()) {
                return new Rejected("deployment " + inProgress.get().id() + " of " + appKey + " is in progress (phase "
                        + inProgress.get().phase() + "): try again when it has finished", List.of(), Rejected.Kind.CONFLICT);
            }
            String version = Descriptor.NEXT_VERSION.equals(descriptor.newVersion())
                    ? BlueGreenPlanner.nextVersion(history) : descriptor.newVersion();
            Optional<Deployment> same = BlueGreenPlanner.activeWithVersion(history, version);
            if (same.isPresent()) {
                return new Rejected("version " + version + " of " + appKey + " is already deployed (deployment "
                        + same.get().id() + ", " + same.get().status() + "): deploy a new version, or \"#\" for the next number",
                        List.of(), Rejected.Kind.CONFLICT);
            }
            if (platform.exists(descriptor.namespace(), BlueGreenPlanner.workloadName(descriptor.appName(), version))) {
                return new Rejected("workload " + BlueGreenPlanner.workloadName(descriptor.appName(), version)
                        + " already exists in namespace " + descriptor.namespace() + ": deploy a new version",
                        List.of(), Rejected.Kind.CONFLICT);
            }
            Instant now = Instant.now();
            deployment = new Deployment(io.bgdeploy.deployer.store.Ids.newId(now), now, now, descriptor.namespace(), descriptor.appName(), version,
                    DeploymentStatus.DEPLOYING, DeploymentPhase.PREPARING, requestedBy, requestId, descriptorId, null,
                    null, descriptor);
            store.save(deployment);
            inProgress.ifPresent(p -> store.appendLog(deployment.namespace(), deployment.id(), Instant.now()
                    + " queued behind deployment " + p.id() + " of the same app"));
        }
        store.appendLog(deployment.namespace(), deployment.id(), Instant.now() + " accepted: version "
                + deployment.version() + " of " + appKey + " requested by " + requestedBy);
        sink.publish(new DeploymentAccepted(deployment.id(), requestId, requestedBy, deployment.namespace(),
                deployment.appName(), deployment.version()));
        LOG.infof("deployment %s accepted: %s version %s requested by %s", deployment.id(), appKey, deployment.version(),
                requestedBy);
        BlueGreenFlow.Run run = new BlueGreenFlow.Run(deployment, spec(deployment));
        active.put(deployment.id(), run);
        locked(appKey, run, () -> flow.run(run));
        return new Accepted(deployment, false);
    }

    /** A rejection on deploy-events, answering a request. */
    public void publishRejection(String requestId, String key, Rejected rejected) {
        sink.publish(new DeploymentRejected(requestId, key, rejected.reason(), rejected.problems()));
    }

    private WorkloadSpec spec(Deployment d) {
        ObjectNode podspec = resources.apply(d.descriptor().podspec()).podspec();
        return BlueGreenPlanner.workload(d.id(), d.descriptor(), d.version(), podspec, store.environment());
    }

    @FunctionalInterface
    private interface Work {
        Deployment run() throws InterruptedException;
    }

    /**
     * Runs the work after every earlier work of the same app, in the order submitted (one
     * deployment per app at a time, FIFO); works of different apps run in parallel.
     */
    private void locked(String appKey, BlueGreenFlow.Run run, Work work) {
        synchronized (appQueues) {
            CompletableFuture<Void> tail = appQueues.getOrDefault(appKey, CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next = tail.handleAsync((ignored, error) -> {
                runLocked(run, work);
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

    private void runLocked(BlueGreenFlow.Run run, Work work) {
        try {
            work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("deployment %s interrupted (the deployer is stopping); it resumes at the next start",
                    run.deployment().id());
        } catch (RuntimeException e) {
            LOG.errorf(e, "deployment %s ended with an unexpected error", run.deployment().id());
        } finally {
            active.remove(run.deployment().id());
        }
    }

    /** Switches back to blue while it still runs (only during the drain delay). */
    public Optional<String> rollback(String namespace, String id, String by) {
        BlueGreenFlow.Run run = active.get(id);
        if (run != null && run.deployment().namespace().equals(namespace) && run.requestRollback(by)) {
            return Optional.empty();
        }
        return Optional.of("deployment " + id + " is not draining, so its previous version no longer runs (or never"
                + " did): redeploy an earlier deployment instead");
    }

    /** Removes the frontend, backend and workload of a deployment; optionally forgets the deployment. */
    public Optional<String> undeploy(Deployment d, boolean deleteRecord, String by) {
        if (d.status() == DeploymentStatus.DEPLOYING || d.status() == DeploymentStatus.UNDEPLOYING) {
            return Optional.of("deployment " + d.id() + " is " + d.status() + ": wait until it has finished");
        }
        if (d.status() != DeploymentStatus.DEPLOYED) {
            if (deleteRecord) {
                store.delete(d.namespace(), d.id());
            }
            return Optional.empty();
        }
        Deployment undeploying = d.withStatus(DeploymentStatus.UNDEPLOYING, null);
        store.save(undeploying);
        BlueGreenFlow.Run run = new BlueGreenFlow.Run(undeploying, spec(undeploying));
        active.put(d.id(), run);
        locked(d.appKey(), run, () -> {
            Deployment result = flow.undeploy(run, by);
            if (deleteRecord) {
                store.delete(d.namespace(), d.id());
            }
            return result;
        });
        return Optional.empty();
    }

    /** Every deployment that was not final when the deployer stopped is resumed or rolled back. */
    public void resumeAll() {
        for (Deployment d : store.listAll()) {
            if (d.status() == null || d.status().isFinal()) {
                continue;
            }
            BlueGreenFlow.Run run = new BlueGreenFlow.Run(d, spec(d));
            active.put(d.id(), run);
            LOG.infof("deployment %s (%s version %s) was %s in phase %s when the deployer stopped: resuming",
                    d.id(), d.appKey(), d.version(), d.status(), d.phase());
            locked(d.appKey(), run, () -> d.status() == DeploymentStatus.UNDEPLOYING
                    ? flow.undeploy(run, "resume after restart") : flow.resume(run));
        }
    }

    /**
     * Deletes workloads that no deployment owns any more (left behind by a crash between creating
     * a workload and recording it, or by a deployment that was forgotten): only workloads of
     * deployments that serve or are in progress are kept.
     */
    public void removeOrphans() {
        java.util.Set<String> owned = new java.util.HashSet<>();
        for (Deployment d : store.listAll()) {
            if (d.status() == null || d.status() != DeploymentStatus.FAILURE && d.status() != DeploymentStatus.UNDEPLOYED) {
                owned.add(d.namespace() + "/" + BlueGreenPlanner.workloadName(d.appName(), d.version()));
            }
        }
        for (Platform.WorkloadRef w : platform.managedWorkloads()) {
            if (!owned.contains(w.namespace() + "/" + w.name())) {
                LOG.warnf("workload %s in %s belongs to no running deployment: deleting the orphan", w.name(), w.namespace());
                platform.delete(w.namespace(), w.name());
            }
        }
    }

    /** Re-attaches the pods of deployments that serve, so their restarts are reported again. */
    public void reattachServing() {
        for (Deployment d : store.listAll()) {
            if (d.status() == DeploymentStatus.DEPLOYED) {
                BlueGreenFlow.Run run = new BlueGreenFlow.Run(d, spec(d));
                platform.attach(d.namespace(), BlueGreenPlanner.workloadName(d.appName(), d.version()), flow.reporter(run));
            }
        }
    }

    public boolean isActive(String id) {
        return active.containsKey(id);
    }
}
