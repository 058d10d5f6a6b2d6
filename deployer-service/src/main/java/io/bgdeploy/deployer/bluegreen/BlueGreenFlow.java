package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The blue-green deployment of one version, as a chain of named steps. Every phase change goes to
 * deploy-events and to the deployment's log with the duration of the phase before it. A failure
 * before the switch removes everything green created; blue is never touched.
 */
public final class BlueGreenFlow {

    private static final Logger LOG = Logger.getLogger(BlueGreenFlow.class);
    /** How often the drain looks for a rollback asked of another deployer instance. */
    private static final Duration ROLLBACK_POLL = Duration.ofMillis(250);
    /** Pauses between attempts to have the load balancer confirm that green serves nothing. */
    private static final Duration RETRY_PAUSE_MIN = Duration.ofSeconds(1);
    private static final Duration RETRY_PAUSE_MAX = Duration.ofSeconds(30);

    /** Timing of the flow, from configuration. */
    public record Settings(Duration healthDeadline, Duration lbTimeout, Duration drainDelay,
                           BlueGreenPlanner.HealthTiming timing) {
    }

    private final Platform platform;
    private final LoadBalancer lb;
    private final HealthBoard board;
    private final EventSink sink;
    private final DeploymentStore store;
    private final Settings settings;
    private final BackendFollower backends;

    public BlueGreenFlow(Platform platform, LoadBalancer lb, HealthBoard board, EventSink sink, DeploymentStore store,
                         Settings settings, BackendFollower backends) {
        this.platform = platform;
        this.lb = lb;
        this.board = board;
        this.sink = sink;
        this.store = store;
        this.settings = settings;
        this.backends = backends;
    }

    /** This instance lost the app's lock: it must stop, another instance continues the deployment. */
    public static final class LockLost extends RuntimeException {
        private final transient DeploymentPhase phase;

        LockLost(DeploymentPhase phase) {
            super("the app's lock was lost before phase " + phase, null, false, false);
            this.phase = phase;
        }

        public DeploymentPhase phase() {
            return phase;
        }
    }

    /** Failure of a step, with a message for the user. */
    static final class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    /** One step of the chain. */
    private record Step(String name, DeploymentPhase phase, StepAction action) {
    }

    @FunctionalInterface
    private interface StepAction {
        void run(Run run) throws StepFailed, InterruptedException;
    }

    /**
     * A deployment in progress: the state its steps share, and the handle to ask for a rollback
     * while blue still runs.
     */
    public static final class Run {
        private volatile Deployment deployment;
        private final Descriptor descriptor;
        private final WorkloadSpec spec;
        private volatile Deployment blue;
        private volatile boolean switchAttempted;
        private volatile boolean switched;
        private volatile boolean greenCreated;
        private volatile String rollbackRequestedBy;
        private final CountDownLatch rollbackSignal = new CountDownLatch(1);
        private Instant phaseStarted = Instant.now();
        private final Instant started = Instant.now();
        private final BooleanSupplier lockValid;

        /**
         * @param lockValid whether this instance still holds the app's lock; checked before every
         *                  phase, so that an instance that lost it stops and leaves the rest to the
         *                  instance that took it
         */
        public Run(Deployment deployment, WorkloadSpec spec, BooleanSupplier lockValid) {
            this.deployment = deployment;
            this.descriptor = deployment.descriptor();
            this.spec = spec;
            this.lockValid = lockValid;
        }

        /** A run that only reports pods (no lock: it changes nothing). */
        public Run(Deployment deployment, WorkloadSpec spec) {
            this(deployment, spec, () -> true);
        }

        public Deployment deployment() {
            return deployment;
        }

        /** Asks to switch back to blue; possible only while draining. */
        public synchronized boolean requestRollback(String by) {
            if (deployment.phase() != DeploymentPhase.DRAINING || rollbackRequestedBy != null) {
                return false;
            }
            rollbackRequestedBy = by;
            rollbackSignal.countDown();
            return true;
        }

        private String id() {
            return deployment.id();
        }

        private String backendId() {
            return BlueGreenPlanner.backendId(deployment.namespace(), deployment.appName(), deployment.version());
        }
    }

    private final List<Step> steps = List.of(
            new Step("find-blue", DeploymentPhase.PREPARING, this::findBlue),
            new Step("create-green", DeploymentPhase.CREATING_GREEN, this::createGreen),
            new Step("wait-for-health", DeploymentPhase.WAITING_FOR_HEALTH, this::waitForHealth),
            new Step("upsert-green-backend", DeploymentPhase.SWITCHING, this::upsertGreenBackend),
            new Step("switch-frontend", DeploymentPhase.SWITCHING, this::switchFrontend),
            new Step("route-stable", DeploymentPhase.SWITCHING, this::routeStable),
            new Step("drain", DeploymentPhase.DRAINING, this::drain),
            new Step("remove-blue", DeploymentPhase.REMOVING_BLUE, this::removeBlue));

    /** Runs an accepted deployment to its end; the caller holds the app's lock. */
    public Deployment run(Run run) throws InterruptedException {
        return runFrom(run, 0);
    }

    private Deployment runFrom(Run run, int firstStep) throws InterruptedException {
        for (int i = firstStep; i < steps.size(); i++) {
            Step step = steps.get(i);
            long t0 = System.nanoTime();
            try {
                enterPhase(run, step.phase(), null);
                step.action().run(run);
                log(run, "step " + step.name() + " done in " + millisSince(t0) + " ms");
            } catch (StepFailed | EventSink.NotPublished e) {
                log(run, "step " + step.name() + " failed after " + millisSince(t0) + " ms: " + e.getMessage());
                if (run.switched) {
                    return finishDeployedDespite(run, step.name() + " failed: " + e.getMessage());
                }
                return rollBack(run, e.getMessage());
            } catch (RollbackRequested r) {
                return rollBack(run, "rolled back on request of " + r.by);
            } catch (LockLost e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.errorf(e, "deployment %s: step %s failed unexpectedly", run.id(), step.name());
                log(run, "step " + step.name() + " failed: " + e);
                if (run.switched) {
                    return finishDeployedDespite(run, step.name() + " failed: " + e);
                }
                return rollBack(run, "internal error in step " + step.name() + ": " + e);
            }
        }
        return finish(run, DeploymentStatus.DEPLOYED, null);
    }

    /**
     * Continues a deployment that a deployer left unfinished (it stopped, or lost the app's lock):
     * before a confirmed switch it is rolled back (green removed once the load balancer confirms
     * it serves no traffic, blue untouched); after it, the stable address is made to select
     * green, the rest of the drain is waited (a rollback is still possible), then blue is removed
     * and it ends DEPLOYED.
     *
     * @param instance the deployer instance that continues it
     */
    public Deployment resume(Run run, String instance) throws InterruptedException {
        Deployment d = run.deployment;
        log(run, "deployer instance " + instance + " continues this deployment, left unfinished in phase " + d.phase()
                + " by a deployer that stopped");
        run.blue = d.blueVersion() == null ? null : store.list(d.namespace(), d.appName()).stream()
                .filter(x -> d.blueVersion().equals(x.version()) && !x.id().equals(d.id()))
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED)
                .findFirst().orElse(null);
        run.greenCreated = true;
        switch (d.phase()) {
            case DRAINING, REMOVING_BLUE -> {
                run.switchAttempted = true;
                run.switched = true;
                platform.attach(d.namespace(), run.spec.name(), reporter(run));
                pointStableAt(run, run.spec);
                return runFrom(run, stepIndex(d.phase() == DeploymentPhase.DRAINING ? "drain" : "remove-blue"));
            }
            default -> {
                run.switchAttempted = d.phase() == DeploymentPhase.SWITCHING || d.phase() == DeploymentPhase.ROLLING_BACK;
                // report green's pods as gone when the rollback deletes them, as an uninterrupted run would
                platform.attach(d.namespace(), run.spec.name(), reporter(run));
                return rollBack(run, "the deployer stopped during " + d.phase());
            }
        }
    }

    private int stepIndex(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private void findBlue(Run run) throws StepFailed {
        Deployment d = run.deployment;
        List<Deployment> history = store.list(d.namespace(), d.appName());
        var same = history.stream().filter(x -> !x.id().equals(d.id()))
                .filter(x -> d.version().equals(x.version()))
                .filter(x -> x.status() == DeploymentStatus.DEPLOYED || x.status() == DeploymentStatus.DEPLOYING)
                .findFirst();
        if (same.isPresent() || platform.exists(d.namespace(), run.spec.name())) {
            throw new StepFailed("version " + d.version() + " of " + d.appKey() + " is already deployed"
                    + same.map(x -> " (deployment " + x.id() + ")").orElse("")
                    + ": deploy a new version, or \"#\" for the next number");
        }
        run.blue = BlueGreenPlanner.serving(history, d.id()).orElse(null);
        if (run.blue != null) {
            run.deployment = run.deployment.withBlueVersion(run.blue.version());
            store.save(run.deployment);
            log(run, "blue is version " + run.blue.version() + " (deployment " + run.blue.id() + "), green is version "
                    + d.version());
        } else {
            log(run, "first deployment of " + d.appKey() + ": green is version " + d.version());
        }
    }

    /** The listener that reports the pods of this run's workload, whose backend follows its pods once it serves. */
    public PodReporter reporter(Run run) {
        backends.follow(run.deployment, run.spec);
        return new PodReporter(run.id(), run.descriptor, run.deployment.version(), run.spec, settings.timing(), sink, board,
                backends);
    }

    /**
     * The listener for pods that were started again after the platform was stopped: the backend
     * still names the pods that are gone, so it follows the new ones as soon as they are ready.
     */
    public PodReporter reporterOfRestartedPods(Run run) {
        backends.followOutdated(run.deployment, run.spec);
        return reporter(run);
    }

    private void createGreen(Run run) {
        run.greenCreated = true;
        platform.create(run.spec, reporter(run));
        log(run, "created workload " + run.spec.name() + " with " + run.spec.replicas() + " replica(s) on the "
                + platform.name() + " platform");
    }

    private void waitForHealth(Run run) throws StepFailed, InterruptedException {
        Descriptor d = run.descriptor;
        int replicas = run.spec.replicas();
        boolean check = d.useHealthCheck();
        boolean ignore = d.ignoreHealthCheck();
        Instant deadline = Instant.now().plus(settings.healthDeadline());
        if (!check) {
            log(run, "no health check (useHealthCheck is false): waiting until " + replicas + " pod(s) run");
        }
        HealthBoard.Snapshot s = board.await(run.id(), snap -> snap.runningCount() >= replicas
                && (!check || (ignore ? snap.countRunningIn(st -> true) >= replicas
                : snap.countRunningIn(PodHealthState::isServing) >= replicas)), deadline, () -> false);
        storeHealth(run, s);
        if (s.runningCount() < replicas) {
            throw new StepFailed("only " + s.runningCount() + " of " + replicas + " pod(s) running after "
                    + settings.healthDeadline().toSeconds() + " s");
        }
        if (!check) {
            return;
        }
        long ready = s.countRunningIn(PodHealthState::isServing);
        if (ready >= replicas) {
            log(run, "all " + replicas + " pod(s) passed the " + d.healthCheckType() + " health check on "
                    + d.healthCheckPath());
            return;
        }
        String why = describeUnhealthy(s);
        if (ignore) {
            log(run, "health check failed (" + why + "), ignored because ignoreHealthCheck is true");
            return;
        }
        throw new StepFailed("health check failed: " + ready + " of " + replicas + " pod(s) ready within "
                + settings.healthDeadline().toSeconds() + " s; " + why);
    }

    private void storeHealth(Run run, HealthBoard.Snapshot s) {
        for (PodHealthChanged h : s.health().values()) {
            store.saveHealth(run.deployment.namespace(), run.id(), new io.bgdeploy.deployer.model.PodHealthRecord(
                    h.pod().podName(), h.state(), h.lastProbe(), Instant.now()));
        }
    }

    private static String describeUnhealthy(HealthBoard.Snapshot s) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Boolean> pod : s.running().entrySet()) {
            PodHealthChanged h = s.health().get(pod.getKey());
            if (h == null) {
                parts.add("pod " + pod.getKey() + ": no health result");
            } else if (!h.state().isServing()) {
                var p = h.lastProbe();
                String detail = p == null ? "" : p.error() != null ? p.error()
                        : p.httpStatus() != null ? "HTTP " + p.httpStatus() : "";
                parts.add("pod " + pod.getKey() + ": " + h.state() + (detail.isEmpty() ? "" : " (" + detail + ")"));
            }
        }
        return parts.isEmpty() ? "no pod reported healthy" : String.join("; ", parts);
    }

    private List<ServerSpec> servers(Run run) {
        int port = run.spec.servingPort();
        List<ServerSpec> servers = new ArrayList<>();
        for (PodInfo pod : platform.pods(run.deployment.namespace(), run.spec.name())) {
            servers.add(new ServerSpec(pod.name(), pod.address(), pod.reachablePort(port)));
        }
        return servers;
    }

    private void upsertGreenBackend(Run run) throws StepFailed, InterruptedException {
        var backend = BlueGreenPlanner.backend(run.descriptor, run.deployment.version(), servers(run));
        command(run, new UpsertBackend(run.id() + ".upsert-backend", run.id(), run.deployment.namespace(),
                run.deployment.appName(), backend));
        backends.sent(run.id(), backend.servers());
        log(run, "backend " + backend.id() + " serves " + backend.servers().size() + " server(s)");
    }

    private void switchFrontend(Run run) throws StepFailed, InterruptedException {
        FrontendSpec frontend = BlueGreenPlanner.frontend(run.descriptor);
        if (frontend == null) {
            log(run, "no frontend in the descriptor: nothing to switch");
            run.switched = true;
            return;
        }
        String expected = blueBackendOn(run, frontend.hostname());
        run.switchAttempted = true;
        command(run, new SwitchFrontend(run.id() + ".switch-frontend", run.id(), run.deployment.namespace(),
                run.deployment.appName(), frontend, run.backendId(), expected));
        run.switched = true;
        log(run, "frontend " + frontend.hostname() + " switched to " + run.backendId()
                + (expected == null ? " (new frontend)" : " from " + expected));
    }

    /** Green serves now: the app's stable address follows (a failure is logged, green keeps serving). */
    private void routeStable(Run run) {
        pointStableAt(run, run.spec);
    }

    private void pointStableAt(Run run, WorkloadSpec serving) {
        try {
            if (platform.routeStable(serving)) {
                log(run, "stable service " + serving.appName() + " selects version " + serving.version());
            }
        } catch (RuntimeException e) {
            LOG.warnf("deployment %s: stable service of %s not moved to version %s: %s", run.id(),
                    run.deployment.appKey(), serving.version(), e.getMessage());
            log(run, "stable service " + serving.appName() + " could not select version " + serving.version() + ": "
                    + e.getMessage());
        }
    }

    private void removeStable(Run run, String version) {
        Deployment d = run.deployment;
        try {
            if (platform.removeStable(d.namespace(), d.appName(), version)) {
                log(run, "stable service " + d.appName() + " (it selected version " + version + ") removed");
            }
        } catch (RuntimeException e) {
            LOG.warnf("deployment %s: stable service of %s not removed: %s", run.id(), d.appKey(), e.getMessage());
            log(run, "stable service " + d.appName() + " could not be removed: " + e.getMessage());
        }
    }

    /** Blue's backend if blue is served under that host name. */
    private static String blueBackendOn(Run run, String hostname) {
        if (run.blue == null || !Objects.equals(run.blue.descriptor().frontend(), hostname)) {
            return null;
        }
        return BlueGreenPlanner.backendId(run.blue.namespace(), run.blue.appName(), run.blue.version());
    }

    /** Thrown by the drain step when someone asked to switch back to blue. */
    private static final class RollbackRequested extends RuntimeException {
        private final String by;

        RollbackRequested(String by) {
            super("rollback requested by " + by, null, false, false);
            this.by = by;
        }
    }

    /**
     * Keeps blue until the drain deadline stored with the deployment (so a deployment continued
     * after a restart waits only the rest of it), switching back at once when someone asks.
     */
    private void drain(Run run) throws InterruptedException {
        if (run.blue == null) {
            log(run, "no blue version: nothing to drain");
            return;
        }
        Instant until = run.deployment.drainUntil() != null ? run.deployment.drainUntil()
                : Instant.now().plus(settings.drainDelay());
        log(run, "blue version " + run.blue.version() + " keeps running until " + until + " ("
                + Math.max(0, Duration.between(Instant.now(), until).toMillis())
                + " ms): a rollback switches back instantly until then");
        while (true) {
            Optional<String> elsewhere = store.rollbackRequest(run.deployment.namespace(), run.id());
            if (elsewhere.isPresent()) {
                throw new RollbackRequested(elsewhere.get());
            }
            long left = Duration.between(Instant.now(), until).toNanos();
            if (left <= 0) {
                return;
            }
            if (run.rollbackSignal.await(Math.min(left, ROLLBACK_POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                throw new RollbackRequested(run.rollbackRequestedBy);
            }
        }
    }

    private void removeBlue(Run run) throws InterruptedException {
        Deployment blue = run.blue;
        if (blue == null) {
            return;
        }
        String blueName = BlueGreenPlanner.workloadName(blue.appName(), blue.version());
        platform.scale(blue.namespace(), blueName, 0);
        platform.delete(blue.namespace(), blueName);
        log(run, "blue workload " + blueName + " scaled to 0 and deleted");
        String blueBackend = BlueGreenPlanner.backendId(blue.namespace(), blue.appName(), blue.version());
        String blueHost = blue.descriptor().frontend();
        if (blueHost != null && !blueHost.equals(run.descriptor.frontend())) {
            bestEffort(run, new RemoveFrontend(run.id() + ".remove-blue-frontend", run.id(), blue.namespace(),
                    blue.appName(), blueHost, blueBackend));
        }
        bestEffort(run, new RemoveBackend(run.id() + ".remove-blue-backend", run.id(), blue.namespace(),
                blue.appName(), blueBackend));
        board.forget(blue.id());
        store.save(blue.withStatus(DeploymentStatus.UNDEPLOYED, "replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + ")"));
        store.appendLog(blue.namespace(), blue.id(), Instant.now() + " replaced by version " + run.deployment.version()
                + " (deployment " + run.id() + "), workload and backend removed");
    }

    private Deployment rollBack(Run run, String reason) throws InterruptedException {
        enterPhaseDespiteKafka(run, DeploymentPhase.ROLLING_BACK, reason);
        Deployment d = run.deployment;
        if (run.switchAttempted || run.switched) {
            // the stable address may select green already: back to blue, or gone with a first deployment
            if (run.blue != null) {
                pointStableAt(run, blueSpec(run.blue));
            } else {
                removeStable(run, d.version());
            }
        }
        FrontendSpec frontend = BlueGreenPlanner.frontend(run.descriptor);
        if (run.switchAttempted && frontend != null) {
            awaitNoTrafficToGreen(run, frontend);
            platform.delete(d.namespace(), run.spec.name());
            log(run, "green workload " + run.spec.name() + " deleted");
        } else if (run.greenCreated) {
            platform.delete(d.namespace(), run.spec.name());
            log(run, "green workload " + run.spec.name() + " deleted");
            bestEffort(run, new RemoveBackend(d.id() + ".remove-backend", d.id(), d.namespace(), d.appName(),
                    run.backendId()));
        }
        return finish(run, DeploymentStatus.FAILURE, reason);
    }

    /**
     * Switches the frontend back to blue (or removes the frontend of a first deployment) and
     * removes green's backend, until the load balancer confirms the removal: it refuses to remove
     * a backend that a frontend routes to, and confirms once every agent serves without it, so
     * only then does green serve no request. Until then both versions keep running, the reason
     * goes to deploy-events once, and the commands are sent again (with new ids) after a growing
     * pause, for as long as it takes: until the load balancer answers again, or an operator routes
     * the frontend away from green.
     */
    private void awaitNoTrafficToGreen(Run run, FrontendSpec frontend) throws InterruptedException {
        Deployment d = run.deployment;
        String blueBackend = blueBackendOn(run, frontend.hostname());
        long pauseMillis = RETRY_PAUSE_MIN.toMillis();
        for (int attempt = 1; ; attempt++) {
            if (!run.lockValid.getAsBoolean()) {
                throw new LockLost(DeploymentPhase.ROLLING_BACK);
            }
            String suffix = attempt == 1 ? "" : "-" + attempt;
            LbCommand away = blueBackend != null
                    ? new SwitchFrontend(d.id() + ".switch-back" + suffix, d.id(), d.namespace(), d.appName(),
                    BlueGreenPlanner.frontend(run.blue.descriptor()), blueBackend, run.backendId())
                    : new RemoveFrontend(d.id() + ".remove-frontend" + suffix, d.id(), d.namespace(), d.appName(),
                    frontend.hostname(), run.backendId());
            LoadBalancer.Answer moved = lb.apply(away, settings.lbTimeout());
            String problem;
            if (moved.outcome() == LoadBalancer.Outcome.TIMED_OUT || moved.outcome() == LoadBalancer.Outcome.NOT_SENT) {
                problem = away.getClass().getSimpleName() + " " + moved.outcome().name().toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' ') + ": " + moved.reason();
            } else {
                log(run, away.getClass().getSimpleName() + " " + away.commandId() + " " + (moved.applied() ? "applied"
                        : "rejected: " + moved.reason()));
                LoadBalancer.Answer removed = lb.apply(new RemoveBackend(d.id() + ".remove-backend" + suffix, d.id(),
                        d.namespace(), d.appName(), run.backendId()), settings.lbTimeout());
                if (removed.applied()) {
                    log(run, "the load balancer confirmed that no frontend routes to " + run.backendId()
                            + (attempt == 1 ? "" : " (attempt " + attempt + ")"));
                    return;
                }
                problem = "RemoveBackend " + removed.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + ": " + removed.reason();
            }
            String both = "both versions keep running: the load balancer has not confirmed that " + frontend.hostname()
                    + " no longer routes to version " + d.version() + " (" + problem + "); trying again in "
                    + pauseMillis + " ms, until it confirms or an operator routes " + frontend.hostname() + " elsewhere";
            if (attempt == 1) {
                LOG.warnf("deployment %s (%s version %s): %s", d.id(), d.appKey(), d.version(), both);
                enterPhaseDespiteKafka(run, DeploymentPhase.ROLLING_BACK, both);
            } else {
                log(run, "attempt " + attempt + ": " + both);
            }
            Thread.sleep(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, RETRY_PAUSE_MAX.toMillis());
        }
    }

    /** Blue's namespace, app name, version and ports, which is what its stable address needs. */
    private static WorkloadSpec blueSpec(Deployment blue) {
        return BlueGreenPlanner.workload(blue.id(), blue.descriptor(), blue.version(), blue.descriptor().podspec(), Map.of());
    }

    /**
     * Undeploys a DEPLOYED deployment: frontend, stable address (if it selects this version),
     * workload, backend. The caller holds the app's lock.
     */
    public Deployment undeploy(Run run, String by) throws InterruptedException {
        Deployment d = run.deployment.withStatus(DeploymentStatus.UNDEPLOYING, null);
        run.deployment = d;
        enterPhaseDespiteKafka(run, DeploymentPhase.UNDEPLOYING, "requested by " + by);
        FrontendSpec frontend = BlueGreenPlanner.frontend(run.descriptor);
        List<String> problems = new ArrayList<>();
        if (frontend != null) {
            problems.addAll(bestEffort(run, new RemoveFrontend(d.id() + ".undeploy-frontend", d.id(), d.namespace(),
                    d.appName(), frontend.hostname(), run.backendId())));
        }
        removeStable(run, d.version());
        platform.delete(d.namespace(), run.spec.name());
        log(run, "workload " + run.spec.name() + " deleted");
        problems.addAll(bestEffort(run, new RemoveBackend(d.id() + ".undeploy-backend", d.id(), d.namespace(),
                d.appName(), run.backendId())));
        return finish(run, DeploymentStatus.UNDEPLOYED, problems.isEmpty() ? "undeployed on request of " + by
                : "undeployed on request of " + by + "; load balancer: " + String.join("; ", problems));
    }

    private void command(Run run, LbCommand command) throws StepFailed, InterruptedException {
        LoadBalancer.Answer answer = lb.apply(command, settings.lbTimeout());
        String what = command.getClass().getSimpleName();
        switch (answer.outcome()) {
            case APPLIED -> log(run, what + " " + command.commandId() + " applied");
            case REJECTED -> throw new StepFailed("load balancer rejected " + what + ": " + answer.reason());
            case NOT_SENT -> throw new StepFailed(what + " not sent: " + answer.reason());
            case TIMED_OUT -> throw new StepFailed("load balancer did not confirm " + what + " within "
                    + settings.lbTimeout().toSeconds() + " s");
        }
    }

    private List<String> bestEffort(Run run, LbCommand command) throws InterruptedException {
        try {
            command(run, command);
            return List.of();
        } catch (StepFailed e) {
            log(run, e.getMessage());
            return List.of(e.getMessage());
        }
    }

    /**
     * Records the phase (with the drain deadline when draining starts), logs it and publishes it
     * on deploy-events.
     *
     * @throws EventSink.NotPublished when deploy-events did not take it: the step fails
     */
    private void enterPhase(Run run, DeploymentPhase phase, String message) {
        if (!run.lockValid.getAsBoolean()) {
            throw new LockLost(phase);
        }
        Deployment d = run.deployment;
        if (d.phase() == phase && message == null) {
            return;
        }
        Long previousMillis = null;
        Instant now = Instant.now();
        if (d.phase() != null && d.phase() != phase) {
            previousMillis = Duration.between(run.phaseStarted, now).toMillis();
            log(run, "phase " + d.phase() + " took " + previousMillis + " ms");
        }
        if (d.phase() != phase) {
            run.phaseStarted = now;
        }
        run.deployment = d.withPhase(phase);
        if (phase == DeploymentPhase.DRAINING && d.drainUntil() == null) {
            run.deployment = run.deployment.withDrainUntil(now.plus(settings.drainDelay()));
        }
        store.save(run.deployment);
        log(run, "phase " + phase + (message == null ? "" : ": " + message));
        sink.publish(new DeploymentPhaseChanged(d.id(), d.namespace(), d.appName(), d.version(), phase, message,
                previousMillis));
    }

    /** A phase that must go on whether deploy-events takes its event or not (rolling back, undeploying). */
    private void enterPhaseDespiteKafka(Run run, DeploymentPhase phase, String message) {
        try {
            enterPhase(run, phase, message);
        } catch (EventSink.NotPublished e) {
            LOG.warnf("deployment %s: %s; going on with %s", run.id(), e.getMessage(), phase);
            log(run, e.getMessage());
        }
    }

    private Deployment finishDeployedDespite(Run run, String problem) {
        log(run, "green serves, but " + problem);
        return finish(run, DeploymentStatus.DEPLOYED, null);
    }

    private Deployment finish(Run run, DeploymentStatus status, String reason) {
        long duration = Duration.between(run.started, Instant.now()).toMillis();
        Deployment d = run.deployment;
        long phaseMillis = Duration.between(run.phaseStarted, Instant.now()).toMillis();
        log(run, "phase " + d.phase() + " took " + phaseMillis + " ms");
        run.deployment = d.withStatus(status, reason);
        store.save(run.deployment);
        log(run, status + (reason == null ? "" : ": " + reason) + " after " + duration + " ms");
        try {
            sink.publish(new DeploymentFinished(d.id(), d.namespace(), d.appName(), d.version(), status, reason, duration));
        } catch (EventSink.NotPublished e) {
            LOG.errorf("deployment %s ended %s, but deploy-events does not say so: %s; GET /deployments/%s/ shows it",
                    d.id(), status, e.getMessage(), d.id());
            log(run, e.getMessage());
        }
        if (status != DeploymentStatus.DEPLOYED) {
            // a serving version's pod health stays: its backend follows its pods by it
            board.forget(d.id());
        }
        return run.deployment;
    }

    private void log(Run run, String message) {
        Deployment d = run.deployment;
        LOG.infof("deployment %s (%s version %s): %s", d.id(), d.appKey(), d.version(), message);
        store.appendLog(d.namespace(), d.id(), Instant.now() + " " + message);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
