package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.AppLocks;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.ResourcePolicy;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Ids;
import io.bgdeploy.deployer.model.UndeployRequest;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DescriptorValidator;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts deployments, runs them one app at a time (many apps in parallel), and offers rollback,
 * undeploy, redeploy and resume after a restart. Framework-free: the CDI wiring lives in
 * {@code config}.
 */
public final class Deployer {

    private static final Logger LOG = Logger.getLogger(Deployer.class);
    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(15);

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
    private final AppLocks locks;
    private final Clock clock;
    private final Map<String, CompletableFuture<Void>> appQueues = new HashMap<>();
    private final Map<String, BlueGreenFlow.Run> active = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final AtomicLong takeovers = new AtomicLong();
    private final AtomicLong lockLosses = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();

    /**
     * @param clock gives a deployment its id and creation time; the order in which an app's
     *              deployments run does not depend on it (the store keeps the order of acceptance)
     */
    public Deployer(Platform platform, DeploymentStore store, EventSink sink, BlueGreenFlow flow,
                    ResourcePolicy resources, LockMode lockMode, AppLocks locks, ExecutorService executor, Clock clock) {
        this.platform = platform;
        this.store = store;
        this.sink = sink;
        this.flow = flow;
        this.resources = resources;
        this.lockMode = lockMode;
        this.locks = locks;
        this.executor = executor;
        this.clock = clock;
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

    /**
     * Validates, resolves the version and records the deployment; it starts at once, or after the
     * app's current deployment (on whichever instance runs that one).
     */
    public Answer submit(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        Answer answer = answer(descriptor, requestedBy, requestId, descriptorId);
        String kind = answer instanceof Accepted a ? (a.repeated() ? "repeated" : "accepted")
                : ((Rejected) answer).kind().name().toLowerCase(Locale.ROOT);
        answers.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        return answer;
    }

    private Answer answer(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        List<String> problems = validate(descriptor);
        if (!problems.isEmpty()) {
            return new Rejected("the descriptor has " + problems.size() + " problem(s)", problems, Rejected.Kind.INVALID);
        }
        String appKey = descriptor.key();
        Optional<AppLocks.Held> acceptLock;
        try {
            acceptLock = locks.lock(AppLocks.acceptLock(appKey), ACCEPT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rejected("the deployer is stopping: try again", List.of(), Rejected.Kind.CONFLICT);
        }
        if (acceptLock.isEmpty()) {
            return new Rejected("another deployment of " + appKey + " has been being accepted for more than "
                    + ACCEPT_WAIT.toSeconds() + " s: try again", List.of(), Rejected.Kind.CONFLICT);
        }
        Deployment deployment;
        try (AppLocks.Held ignored = acceptLock.get()) {
            List<Deployment> history = store.list(descriptor.namespace(), descriptor.appName());
            if (requestId != null) {
                Optional<Deployment> seen = history.stream().filter(x -> requestId.equals(x.requestId())).findFirst();
                if (seen.isPresent()) {
                    return new Accepted(seen.get(), true);
                }
            }
            Optional<Deployment> inProgress = history.stream().filter(Deployer::unfinished).findFirst();
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
            Instant now = clock.instant();
            deployment = new Deployment(Ids.newId(now), now, now, descriptor.namespace(), descriptor.appName(), version,
                    DeploymentStatus.DEPLOYING, DeploymentPhase.PREPARING, requestedBy, requestId, descriptorId, null,
                    null, descriptor, null);
            store.save(deployment);
            inProgress.ifPresent(p -> store.appendLog(deployment.namespace(), deployment.id(), Instant.now()
                    + " queued behind deployment " + p.id() + " of the same app"));
        }
        store.appendLog(deployment.namespace(), deployment.id(), Instant.now() + " accepted by deployer instance "
                + locks.owner() + ": version " + deployment.version() + " of " + appKey + " requested by " + requestedBy);
        try {
            sink.publish(new DeploymentAccepted(deployment.id(), requestId, requestedBy, deployment.namespace(),
                    deployment.appName(), deployment.version()));
        } catch (EventSink.NotPublished e) {
            // accepted and recorded all the same: its first phase event fails the deployment if Kafka is still away
            LOG.warnf("deployment %s accepted, but deploy-events does not say so: %s", deployment.id(), e.getMessage());
            store.appendLog(deployment.namespace(), deployment.id(), Instant.now() + " " + e.getMessage());
        }
        LOG.infof("deployment %s accepted: %s version %s requested by %s", deployment.id(), appKey, deployment.version(),
                requestedBy);
        drain(appKey);
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

    private static boolean unfinished(Deployment d) {
        return d.status() == DeploymentStatus.DEPLOYING || d.status() == DeploymentStatus.UNDEPLOYING;
    }

    /**
     * Has this instance run the app's unfinished deployments, in the order they were accepted, if
     * it can take the app's run lock; otherwise the instance that holds it runs them. Works of one
     * app run one after the other on this instance; works of different apps in parallel. A
     * deployment that does not finish (an unexpected error) holds up the ones behind it until it is
     * tried again.
     */
    private void drain(String appKey) {
        synchronized (appQueues) {
            CompletableFuture<Void> tail = appQueues.getOrDefault(appKey, CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next = tail.handleAsync((ignored, error) -> {
                drainNow(appKey);
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

    private void drainNow(String appKey) {
        Keys.AppRef app = Keys.parseApp(appKey);
        Optional<AppLocks.Held> lock;
        try {
            lock = locks.tryLock(AppLocks.runLock(appKey));
        } catch (RuntimeException e) {
            LOG.warnf("cannot take the lock of %s (%s): trying again in a moment", appKey, e.getMessage());
            return;
        }
        if (lock.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        try (AppLocks.Held held = lock.get()) {
            if (platform.takeOver(app.namespace(), app.appName())) {
                adopted(app.namespace(), app.appName());
            }
            restoreServing(app);
            while (held.valid()) {
                Optional<Deployment> next = firstUnfinished(app);
                // one that did not finish here (an unexpected error) is tried again later, never overtaken
                if (next.isEmpty() || !seen.add(next.get().id())) {
                    break;
                }
                runOne(next.get(), held);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "deployments of %s stopped with an unexpected error; they are tried again", appKey);
        }
        // A deployment recorded while the lock was about to be released found the lock taken: look again.
        boolean left;
        try {
            left = firstUnfinished(app).filter(d -> !seen.contains(d.id())).isPresent();
        } catch (RuntimeException e) {
            left = false;
        }
        if (left && !Thread.currentThread().isInterrupted()) {
            drain(appKey);
        }
    }

    /** The app's unfinished deployment accepted first: the only one that may run now. */
    private Optional<Deployment> firstUnfinished(Keys.AppRef app) {
        return store.list(app.namespace(), app.appName()).stream().filter(Deployer::unfinished).findFirst();
    }

    /**
     * After workloads of a stopped instance were taken over: those that no deployment owns are
     * deleted, those of the serving version report their pods again.
     */
    private void adopted(String namespace, String appName) {
        List<Deployment> history = store.list(namespace, appName);
        Set<String> owned = ownedWorkloads(history);
        for (String w : platform.workloads(namespace, appName)) {
            if (!owned.contains(workloadKey(namespace, w))) {
                LOG.warnf("workload %s in %s, taken over from a stopped deployer, belongs to no running deployment:"
                        + " deleting the orphan", w, namespace);
                platform.delete(namespace, w);
            }
        }
        for (Deployment d : history) {
            if (d.status() == DeploymentStatus.DEPLOYED) {
                platform.attach(namespace, BlueGreenPlanner.workloadName(d.appName(), d.version()),
                        flow.reporter(new BlueGreenFlow.Run(d, spec(d))));
            }
        }
    }

    /**
     * Starts again the pods that the app's serving versions lack on this platform (the local
     * platform after it was stopped); their backends follow the new pods. The caller holds the
     * app's lock.
     */
    private void restoreServing(Keys.AppRef app) {
        for (Deployment d : store.list(app.namespace(), app.appName())) {
            if (!BlueGreenPlanner.serves(d)) {
                continue;
            }
            WorkloadSpec spec = spec(d);
            if (platform.needsRestore(spec)) {
                if (platform.restore(spec, flow.reporterOfRestartedPods(new BlueGreenFlow.Run(d, spec)))) {
                    restored.incrementAndGet();
                    LOG.infof("deployment %s: the pods of %s version %s were gone; started again", d.id(), d.appKey(),
                            d.version());
                    store.appendLog(d.namespace(), d.id(), Instant.now() + " pods started again by deployer instance "
                            + locks.owner() + " (they were gone after a restart of the platform)");
                }
            }
        }
    }

    /**
     * Has the instance that gets each app's lock start again the pods its serving versions lack
     * (at startup: the local platform's pods stop with it).
     */
    public void restoreServing() {
        Set<String> apps = new java.util.LinkedHashSet<>();
        for (Deployment d : store.listAll()) {
            if (BlueGreenPlanner.serves(d) && platform.needsRestore(spec(d))) {
                apps.add(d.appKey());
            }
        }
        apps.forEach(this::drain);
    }

    private static String workloadKey(String namespace, String workload) {
        return namespace + "/" + workload;
    }

    /**
     * The workloads ({@code <namespace>/<workload>}) that must be kept: those of deployments that
     * serve or are in progress.
     */
    private static Set<String> ownedWorkloads(List<Deployment> deployments) {
        Set<String> owned = new HashSet<>();
        for (Deployment d : deployments) {
            if (d.status() == null || d.status() != DeploymentStatus.FAILURE && d.status() != DeploymentStatus.UNDEPLOYED) {
                owned.add(workloadKey(d.namespace(), BlueGreenPlanner.workloadName(d.appName(), d.version())));
            }
        }
        return owned;
    }

    private void runOne(Deployment d, AppLocks.Held held) {
        BlueGreenFlow.Run run = new BlueGreenFlow.Run(d, spec(d), held::valid);
        active.put(d.id(), run);
        try {
            store.appendLog(d.namespace(), d.id(), Instant.now() + " run by deployer instance " + locks.owner());
            if (d.status() == DeploymentStatus.UNDEPLOYING) {
                Optional<UndeployRequest> request = store.undeployRequest(d.namespace(), d.id());
                flow.undeploy(run, request.map(UndeployRequest::by).orElse("an undeploy request"));
                if (request.filter(UndeployRequest::forget).isPresent()) {
                    store.delete(d.namespace(), d.id());
                }
            } else if (d.phase() == DeploymentPhase.PREPARING) {
                flow.run(run);
            } else {
                takeovers.incrementAndGet();
                LOG.infof("deployment %s (%s version %s) was left %s in phase %s by a stopped deployer: instance %s"
                        + " continues it", d.id(), d.appKey(), d.version(), d.status(), d.phase(), locks.owner());
                flow.resume(run, locks.owner());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("deployment %s interrupted (the deployer is stopping): it is continued at the next start, or by"
                    + " another instance", d.id());
        } catch (BlueGreenFlow.LockLost e) {
            lockLosses.incrementAndGet();
            LOG.warnf("deployment %s stopped in phase %s: instance %s lost the lock of %s, another instance continues it",
                    d.id(), e.phase(), locks.owner(), d.appKey());
        } catch (RuntimeException e) {
            LOG.errorf(e, "deployment %s ended with an unexpected error", d.id());
        } finally {
            active.remove(d.id());
        }
    }

    /**
     * Switches back to blue while it still runs (only during the drain delay). A deployment that
     * another instance runs is asked through the store; that instance switches back.
     */
    public Optional<String> rollback(String namespace, String id, String by) {
        BlueGreenFlow.Run run = active.get(id);
        if (run != null && run.deployment().namespace().equals(namespace)) {
            if (run.requestRollback(by)) {
                return Optional.empty();
            }
        } else if (store.find(namespace, id).filter(d -> d.status() == DeploymentStatus.DEPLOYING
                && d.phase() == DeploymentPhase.DRAINING).isPresent()) {
            store.requestRollback(namespace, id, by);
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
        store.saveUndeployRequest(d.namespace(), d.id(), new UndeployRequest(by, deleteRecord));
        store.save(d.withStatus(DeploymentStatus.UNDEPLOYING, null));
        drain(d.appKey());
        return Optional.empty();
    }

    /**
     * Runs the unfinished deployments of every app that no instance runs: at startup, those this
     * instance left behind; afterwards, those of an instance that stopped (its lock expired). Apps
     * whose workloads a stopped instance left (local platform) are taken over the same way.
     */
    public void resumeUnowned() {
        resume(store.unfinished());
    }

    private void resume(Map<String, String> unfinished) {
        Set<String> apps = new java.util.LinkedHashSet<>();
        unfinished.forEach((id, app) -> {
            if (!active.containsKey(id)) {
                apps.add(app);
            }
        });
        apps.addAll(platform.appsToTakeOver());
        for (String app : apps) {
            synchronized (appQueues) {
                if (appQueues.containsKey(app)) {
                    continue;
                }
            }
            drain(app);
        }
    }

    /**
     * Deletes workloads that no deployment owns any more (left behind by a crash between creating
     * a workload and recording it, or by a deployment that was forgotten): only workloads of
     * deployments that serve or are in progress are kept.
     */
    public void removeOrphans() {
        Set<String> owned = ownedWorkloads(store.listAll());
        for (Platform.WorkloadRef w : platform.managedWorkloads()) {
            if (!owned.contains(workloadKey(w.namespace(), w.name()))) {
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

    /** How many requests got this answer: accepted, repeated (a request id seen before), invalid or conflict. */
    public long answers(String kind) {
        AtomicLong n = answers.get(kind);
        return n == null ? 0 : n.get();
    }

    /** The kinds of answer that {@link #answers(String)} counts. */
    public static List<String> answerKinds() {
        return List.of("accepted", "repeated", "invalid", "conflict");
    }

    /** Deployments (and undeploys) this instance runs now. */
    public int runningCount() {
        return active.size();
    }

    /** Deployments this instance continued after the deployer that ran them stopped. */
    public long takeovers() {
        return takeovers.get();
    }

    /** Serving workloads whose pods this instance started again (after the platform was stopped). */
    public long restoredWorkloads() {
        return restored.get();
    }

    /** Deployments this instance stopped because it no longer held the app's lock. */
    public long lockLosses() {
        return lockLosses.get();
    }
}
