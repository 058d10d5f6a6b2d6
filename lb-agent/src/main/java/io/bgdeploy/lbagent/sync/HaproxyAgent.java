package io.bgdeploy.lbagent.sync;

import io.bgdeploy.events.HostName;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lb.etcd.SnapshotDecoder;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.etcd.EtcdConfigMirror;
import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import io.bgdeploy.lbagent.haproxy.HaproxyLauncher;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import io.bgdeploy.lbagent.haproxy.RuntimeApi;
import io.bgdeploy.lbagent.haproxy.WorkerCli;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.LayoutUpdate;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.model.RuntimeCommand;
import io.bgdeploy.lbagent.model.RuntimePlan;
import io.bgdeploy.lbagent.model.RuntimePlan.ServerRef;
import io.bgdeploy.lbagent.model.Route;
import io.bgdeploy.lbagent.model.RuntimeState;
import io.bgdeploy.lbagent.model.Slot;
import io.bgdeploy.lbagent.model.SlotAssignment;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one HAProxy in step with etcd.
 *
 * <p>A change that keeps HAProxy's structure (a switch, a new version of an app moving into a free
 * slot, servers coming and going) goes through the Runtime API: the commands are sent while the
 * files are rendered and written on another thread (so a restart comes up the same), what they
 * changed is read back, and only once both are done is the revision reported as applied. A change of structure (a new app or host, other
 * settings) renders a file, validates it with {@code haproxy -c}, swaps it in atomically, reloads
 * through the master socket and waits until the master confirms a new worker. A file that fails
 * validation or a failed reload never replaces the last good configuration.
 *
 * <p>When the agent starts, or finds its HAProxy restarted, it reads what HAProxy has ({@code show
 * servers state}, {@code show map}) and converges that to etcd before it reports anything, so a
 * crash between two Runtime API commands leaves nothing half done. Servers that leave are put into
 * maintenance at once and deleted once their connections are gone. Everything runs on one thread;
 * changes that arrive meanwhile are coalesced into the next reconcile. The progress in etcd is
 * written again every reconcile interval even when nothing changed, so its time says how fresh
 * the agent's view of etcd is.
 */
public final class HaproxyAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HaproxyAgent.class);
    private static final long WATCH_HAPROXY_MILLIS = 1000;
    /** A whole read of etcd at least every this many reconcile intervals, even while the watch answers. */
    private static final int WHOLE_READ_EVERY = 20;
    /** How long the watch has to answer a progress request before a whole read is made instead. */
    private static final long PROGRESS_TIMEOUT_MILLIS = 5_000;
    private static final long RETIRE_RETRY_MILLIS = 250;

    /** Where failures are reported (lb-events in the service). */
    public interface FailureListener {
        void failed(String agentId, long revision, String reason);
    }

    /** Receives how long each step of a reconcile took. */
    public interface StepTimer {
        void record(String step, long nanos);
    }

    /**
     * What the agent's health check and metrics show.
     *
     * @param healthy          the last revision was applied (no failure since)
     * @param haproxyServing   the master answered with a worker at the last look
     * @param reloads          reloads this agent did
     * @param runtimeUpdates   changes this agent made through the Runtime API
     * @param haproxyReloads   the master's own reload counter at the last look (counts every reload since it started)
     * @param etcdHeardMillis  when etcd last answered (staleness = now minus this)
     * @param haproxyMaxConnections the {@code maxconn} HAProxy's current worker runs with (its {@code show info});
     *                         0 until it was read
     */
    public record Status(boolean healthy, boolean haproxyServing, long appliedRevision, String lastFailure, int reloads,
                         int runtimeUpdates, int haproxyReloads, long etcdHeardMillis, int haproxyMaxConnections) {
        Status with(boolean healthy, long appliedRevision, String lastFailure) {
            return new Status(healthy, haproxyServing, appliedRevision, lastFailure, reloads, runtimeUpdates, haproxyReloads,
                    etcdHeardMillis, haproxyMaxConnections);
        }

        Status serving(boolean serving, int haproxyReloads) {
            return new Status(healthy, serving, appliedRevision, lastFailure, reloads, runtimeUpdates, haproxyReloads,
                    etcdHeardMillis, haproxyMaxConnections);
        }

        Status reloaded() {
            return new Status(true, haproxyServing, appliedRevision, null, reloads + 1, runtimeUpdates, haproxyReloads + 1,
                    etcdHeardMillis, haproxyMaxConnections);
        }

        Status updatedAtRuntime() {
            return new Status(true, haproxyServing, appliedRevision, null, reloads, runtimeUpdates + 1, haproxyReloads,
                    etcdHeardMillis, haproxyMaxConnections);
        }

        Status heard(long millis) {
            return new Status(healthy, haproxyServing, appliedRevision, lastFailure, reloads, runtimeUpdates, haproxyReloads,
                    millis, haproxyMaxConnections);
        }

        Status maxConnections(int maxConnections) {
            return new Status(healthy, haproxyServing, appliedRevision, lastFailure, reloads, runtimeUpdates, haproxyReloads,
                    etcdHeardMillis, maxConnections);
        }
    }

    /** Frontends and backends changed in etcd since the live layout was planned. */
    private record Unapplied(Set<HostName> hosts, Set<String> backendIds) {
    }

    private final EtcdAgentStore store;
    private final EtcdConfigMirror mirror;
    private final HaproxyConfigRenderer renderer;
    private final AgentSettings settings;
    private final FailureListener failures;
    private final StepTimer timer;
    private final ConfigValidator validator;
    private final MasterCli cli;
    /** The Runtime API straight on the current worker, trusted only from the worker {@link #lastProc} names. */
    private final WorkerCli worker;
    private final RuntimeApi runtimeApi;
    private final String mapFile;
    private final ScheduledExecutorService loop;
    /** Renders and writes the files (hosts map, configuration) while the loop sends the Runtime API commands. */
    private final ExecutorService files;
    /** Once per reconcile interval, off the loop: asks the watch to answer, or reads everything from etcd. */
    private final ScheduledExecutorService reread;
    /** Reconcile intervals since the last whole read of etcd; only the reread thread uses it. */
    private int intervalsSinceWholeRead;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** When the pending reconcile was asked for (System.nanoTime()), 0 when none is. */
    private final AtomicLong triggeredAt = new AtomicLong();
    private final AtomicBoolean refreshDue = new AtomicBoolean(true);
    private final AtomicBoolean leaseCheckDue = new AtomicBoolean();

    private HaproxyLauncher launcher;
    private volatile long lease;
    private volatile Status status = new Status(true, false, 0, null, 0, 0, 0, 0, 0);
    /** The workers whose {@code maxconn} {@link #status} shows. */
    private List<Long> maxConnectionsReadFrom = List.of();
    private volatile long failedRevision = -1;
    /** The configuration (file and map) that failed last: a failure is reported once per desired state. */
    private String failedState;
    /** {@link #failedState} failed validation, which gives the same answer for the same text. */
    private boolean failedStateInvalid;
    private volatile boolean reportDue = true;
    private long reportedAtMillis;
    /** The layout HAProxy has loaded and the files hold; null when not known (start, HAProxy restarted). */
    private ProxyLayout live;
    /** What HAProxy has at run time; null when it must be read. */
    private RuntimeState runtime;
    /** The master and the worker HAProxy had at the last look, to notice a restart nobody announced. */
    private ProcStatus lastProc;
    /**
     * The frontends and backends that changed since {@link #live} was planned, while they are not
     * applied yet; null when that is not known, and the next reconcile plans everything.
     */
    private Unapplied unapplied;
    /** Servers in maintenance, waiting for their connections to end before they are deleted. */
    private final Map<ServerRef, Long> retiring = new LinkedHashMap<>();
    /** Servers among {@link #retiring} whose delete failed in a way a drain does not explain, warned about once. */
    private final Set<ServerRef> undeletableWarned = new HashSet<>();
    private volatile Leaving leaving = new Leaving(0, 0);

    public HaproxyAgent(EtcdAgentStore store, HaproxyConfigRenderer renderer, AgentSettings settings,
                        FailureListener failures) {
        this(store, renderer, settings, failures, (step, nanos) -> { });
    }

    public HaproxyAgent(EtcdAgentStore store, HaproxyConfigRenderer renderer, AgentSettings settings,
                        FailureListener failures, StepTimer timer) {
        this.timer = timer;
        this.store = store;
        this.renderer = renderer;
        this.settings = settings;
        this.failures = failures;
        this.validator = new ConfigValidator(settings.binary());
        this.cli = new MasterCli(settings.masterSocket());
        String runtimeSocket = settings.haproxy().runtimeSocket();
        this.worker = new WorkerCli(runtimeSocket == null ? null : Path.of(runtimeSocket), cli);
        this.runtimeApi = new RuntimeApi(worker);
        this.mapFile = settings.mapFile().toString();
        this.mirror = store.mirror(this::trigger, this::onWatchError);
        this.files = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lb-agent-files-" + settings.agentId());
            t.setDaemon(true);
            return t;
        });
        this.reread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lb-agent-reread-" + settings.agentId());
            t.setDaemon(true);
            return t;
        });
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lb-agent-" + settings.agentId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers, brings HAProxy to the current configuration, then follows every change. */
    public void start() {
        if (settings.startHaproxy()) {
            startHaproxy();
        } else if (!Files.exists(settings.masterSocket())) {
            throw new IllegalStateException("HAProxy master socket " + settings.masterSocket()
                    + " does not exist: start HAProxy with -W -S, or let the agent start it");
        }
        loop.execute(this::registerQuietly);
        trigger();
        long every = settings.reconcileInterval().toMillis();
        reread.scheduleWithFixedDelay(this::rereadQuietly, every, every, TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(this::watchHaproxy, WATCH_HAPROXY_MILLIS, WATCH_HAPROXY_MILLIS, TimeUnit.MILLISECONDS);
        LOG.infof("agent %s follows etcd for HAProxy at %s (config %s, hosts map %s, public %s, stats %s)",
                settings.agentId(), settings.masterSocket(), settings.configFile(), mapFile,
                settings.haproxy().publicBind(), settings.haproxy().statsBind());
    }

    public Status status() {
        return status.heard(mirror.lastHeardMillis());
    }

    /** How many servers are waiting for their connections to end before they are deleted (asked on the agent's loop). */
    /**
     * The old versions' servers this agent is taking out of HAProxy: in maintenance until their
     * connections end, then deleted; those whose deletion failed for another reason than open
     * connections (warned once each) are counted apart, as the sign of a retiring that is stuck.
     */
    public record Leaving(int servers, int notDeletable) {
    }

    public Leaving leaving() {
        return leaving;
    }

    public String agentId() {
        return settings.agentId();
    }

    /** Asks for a reconcile; several requests before it starts become one. */
    public void trigger() {
        if (pending.compareAndSet(false, true)) {
            triggeredAt.set(System.nanoTime());
            loop.execute(this::reconcileQuietly);
        }
    }

    private void startHaproxy() {
        Optional<HaproxyLauncher> running = HaproxyLauncher.adopt(settings.masterSocket());
        if (running.isPresent()) {
            launcher = running.get();
            lookOnExit(launcher);
            LOG.infof("agent %s adopted the HAProxy already running at %s (pid %d); it reads what HAProxy has before it changes anything",
                    settings.agentId(), settings.masterSocket(), launcher.pid());
            return;
        }
        try {
            Files.createDirectories(settings.configFile().toAbsolutePath().getParent());
            ProxyLayout initial;
            try {
                initial = LayoutPlanner.plan(mirror.refresh().model(), List.of(), true);
            } catch (RuntimeException etcdDown) {
                LOG.warnf("agent %s: etcd not readable at start (%s); starting HAProxy with an empty configuration",
                        settings.agentId(), etcdDown.getMessage());
                initial = LayoutPlanner.plan(LbModel.EMPTY, List.of(), true);
            }
            writeAtomically(settings.mapFile(), renderer.renderMap(initial));
            writeAtomically(settings.configFile(), render(initial));
            String problems = validator.problems(settings.configFile());
            if (problems != null) {
                throw new IllegalStateException("initial configuration is not valid: " + problems);
            }
            launcher = HaproxyLauncher.start(settings.binary(), settings.configFile(), settings.masterSocket(),
                    settings.reloadTimeout().forSections(initial.slots().size()));
            lookOnExit(launcher);
            live = initial;
            runtime = RuntimeState.of(initial);
            seen(cli.showProc());
            status = status.serving(true, lastProc.reloads());
            LOG.infof("agent %s started HAProxy (pid %d)", settings.agentId(), launcher.pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void registerQuietly() {
        try {
            register();
        } catch (RuntimeException e) {
            LOG.warnf("agent %s cannot register in etcd yet: %s", settings.agentId(), e.getMessage());
        }
    }

    private synchronized void register() {
        reportDue = true;
        lease = store.register(new AgentRegistration(settings.agentId(), hostName(), Instant.now()),
                settings.leaseTtl(), reason -> {
                    LOG.warnf("agent %s lost its lease keep-alive (%s); registering again", settings.agentId(), reason);
                    lease = 0;
                    trigger();
                });
    }

    private void reconcileQuietly() {
        pending.set(false);
        long asked = triggeredAt.getAndSet(0);
        if (asked != 0) {
            timer.record("wait", System.nanoTime() - asked);
        }
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("agent %s: reconcile failed, HAProxy keeps what it has: %s", settings.agentId(), e.getMessage());
            refreshDue.set(true);
            unapplied = null;
        }
    }

    /**
     * Once per reconcile interval, on a thread of its own: the watch is asked to answer (a progress
     * notification); only when it stays silent, and anyway every {@value #WHOLE_READ_EVERY}th
     * interval, everything is read again (what a silent watch missed) and the loop goes on from it
     * at its next reconcile, comparing instead of reading. At 5,000 apps a whole read is some 30,000
     * entries to read, compare and collect: done every interval, it fell into switches.
     */
    private void rereadQuietly() {
        try {
            long timeout = Math.min(PROGRESS_TIMEOUT_MILLIS, settings.reconcileInterval().toMillis());
            boolean watchAnswered = ++intervalsSinceWholeRead < WHOLE_READ_EVERY && mirror.watchAnswers(Duration.ofMillis(timeout));
            if (!watchAnswered) {
                intervalsSinceWholeRead = 0;
                mirror.fetchAll();
            }
        } catch (RuntimeException e) {
            LOG.debugf("agent %s: periodic read of etcd failed (%s); the loop reads itself", settings.agentId(), e.getMessage());
            refreshDue.set(true);
        }
        leaseCheckDue.set(true);
        trigger();
    }

    private void reconcile() {
        if (lease == 0) {
            register();
        } else if (leaseCheckDue.getAndSet(false) || refreshDue.get()) {
            // a lost lease is reported by its keep-alive; this read also catches one that expired while
            // the stream stayed open, once per reconcile interval and off the path of a change
            long start = System.nanoTime();
            if (!leaseAlive()) {
                register();
            }
            timer.record("lease", System.nanoTime() - start);
        }
        ensureHaproxyRuns();
        long t0 = System.nanoTime();
        boolean reread = refreshDue.getAndSet(false);
        Snapshot snapshot = reread ? mirror.refresh() : mirror.current();
        SnapshotDecoder.Change change = mirror.lastChange();
        long t1 = System.nanoTime();
        timer.record("read", t1 - t0);
        if (!snapshot.problems().isEmpty()) {
            LOG.debugf("agent %s: %d invalid entries in etcd are left out: %s", settings.agentId(),
                    snapshot.problems().size(), snapshot.problems());
        }
        boolean applied;
        if (live == null || change.whole() || unapplied == null) {
            unapplied = null;
            List<SlotAssignment> assignments = assignments();
            ProxyLayout desired = LayoutPlanner.plan(snapshot.model(), assignments, false);
            timer.record("plan", System.nanoTime() - t1);
            if (live == null && loadedStructureIs(desired)) {
                live = desired.structure();
            }
            applied = desired.sameStructureAs(live)
                    ? applyAtRuntime(snapshot, desired, null)
                    : applyWithReload(LayoutPlanner.plan(snapshot.model(), assignments, true), snapshot.revision());
        } else {
            unapplied.hosts().addAll(change.hosts());
            unapplied.backendIds().addAll(change.backendIds());
            LayoutUpdate update = LayoutPlanner.update(live, snapshot.model(), unapplied.hosts(), unapplied.backendIds());
            timer.record("plan", System.nanoTime() - t1);
            applied = update.structural()
                    ? applyWithReload(LayoutPlanner.plan(snapshot.model(), SlotAssignment.of(live), true), snapshot.revision())
                    : applyAtRuntime(snapshot, update.layout(), update);
        }
        if (applied) {
            unapplied = new Unapplied(new HashSet<>(), new HashSet<>());
        }
        if (!applied) {
            return;
        }
        boolean heartbeatDue = System.currentTimeMillis() - reportedAtMillis >= settings.reconcileInterval().toMillis();
        // a revision lower than the one reported: etcd went back in time (restored from a backup)
        if (snapshot.revision() != status.appliedRevision() || failedRevision >= 0 || reportDue || heartbeatDue) {
            long t2 = System.nanoTime();
            store.reportProgress(lease, new AgentProgress(settings.agentId(), snapshot.revision(), Instant.now(), null, 0));
            reportDue = false;
            reportedAtMillis = System.currentTimeMillis();
            timer.record("report", System.nanoTime() - t2);
            failedRevision = -1;
            failedState = null;
            status = status.with(true, snapshot.revision(), null);
        }
        retireDrained();
    }

    /** Who is in which slot now: from the live layout, or from the file when the agent just started. */
    private List<SlotAssignment> assignments() {
        if (live != null) {
            return SlotAssignment.of(live);
        }
        String file = readIfExists(settings.configFile());
        List<SlotAssignment> found = new ArrayList<>();
        if (file != null) {
            HaproxyConfigRenderer.sections(file).forEach((section, backendId) -> Slot.parse(section)
                    .ifPresent(n -> found.add(new SlotAssignment(n.app(), n.number(), backendId))));
        }
        return found;
    }

    /** True when the file HAProxy runs has the structure of {@code desired} (checked once after a start). */
    private boolean loadedStructureIs(ProxyLayout desired) {
        String file = readIfExists(settings.configFile());
        return file != null && HaproxyConfigRenderer.structure(file).equals(HaproxyConfigRenderer.structure(render(desired)));
    }

    /**
     * Brings HAProxy to {@code desired} through the Runtime API; falls back to a reload when that fails.
     *
     * @param scope the sections and hosts a change touched, when only those can differ from what
     *              HAProxy has; null to compare everything
     */
    private boolean applyAtRuntime(Snapshot snapshot, ProxyLayout desired, LayoutUpdate scope) {
        long t0 = System.nanoTime();
        if (runtime == null) {
            runtime = runtimeApi.read(mapFile, null);
            timer.record("read-runtime", System.nanoTime() - t0);
            scope = null;
        }
        int checkInterval = settings.haproxy().checkIntervalMillis();
        RuntimePlan plan = scope == null ? RuntimePlan.between(runtime, desired, mapFile, checkInterval)
                : RuntimePlan.between(runtime, desired, mapFile, scope.slots(), scope.hosts(), checkInterval);
        boolean mapCurrent;
        boolean slotsCurrent;
        if (scope == null) {
            mapCurrent = live != null && desired.hostMap().equals(live.hostMap());
            slotsCurrent = live != null && desired.slots().equals(live.slots());
        } else {
            ProxyLayout was = live;
            mapCurrent = scope.hosts().stream().allMatch(h -> was.route(h).map(Route::target)
                    .equals(desired.route(h).map(Route::target)));
            slotsCurrent = scope.slots().stream().allMatch(name -> was.slot(name).equals(desired.slot(name)));
        }
        if (plan.isEmpty() && mapCurrent && slotsCurrent) {
            live = desired;
            return true;
        }
        // the files (hosts map, and the configuration when servers come or go) are rendered and written
        // while the commands go, off the path of the change; the revision is reported only once they
        // are on disk, and an agent that dies before converges at its next start
        Future<?> mapWritten = mapCurrent ? null : files.submit(() -> writeAtomically(settings.mapFile(), out -> renderer.writeMap(desired, out)));
        Future<?> configWritten = slotsCurrent ? null : files.submit(() -> writeAtomically(settings.configFile(), render(desired)));
        long t2 = System.nanoTime();
        try {
            applyStep(plan.serverCommands(), Set.of(), plan.touchedSlots(), desired);
            applyStep(plan.routeCommands(), plan.touchedHosts(), Set.of(), desired);
            applyStep(plan.leaveCommands(), Set.of(), Set.of(), desired);
            timer.record("runtime-api", System.nanoTime() - t2);
        } catch (RuntimeException e) {
            LOG.warnf("agent %s: the Runtime API did not bring HAProxy to revision %d (%s); reloading instead",
                    settings.agentId(), snapshot.revision(), e.getMessage());
            runtime = null;
            awaitWritten(mapWritten);
            awaitWritten(configWritten);
            return applyWithReload(LayoutPlanner.plan(snapshot.model(), SlotAssignment.of(desired), true), snapshot.revision());
        }
        long t3 = System.nanoTime();
        awaitWritten(mapWritten);
        awaitWritten(configWritten);
        if (mapWritten != null || configWritten != null) {
            // only what the commands did not cover: the wait for the files after them
            timer.record("write", System.nanoTime() - t3);
        }
        runtime = scope == null ? plan.expectedAfter(runtime, desired)
                : plan.expectedAfter(runtime, desired, scope.slots(), scope.hosts());
        long now = System.nanoTime();
        plan.retire().forEach(r -> retiring.putIfAbsent(r, now));
        retiringChanged();
        live = desired;
        status = status.updatedAtRuntime();
        if (!plan.commands().isEmpty()) {
            LOG.infof("agent %s: revision %d applied through the Runtime API (%d command(s), %d host(s) routed anew, %d server(s) leaving)",
                    settings.agentId(), snapshot.revision(), plan.commands().size(), plan.touchedHosts().size(),
                    plan.retire().size());
        }
        return true;
    }

    /** Waits until a file written beside the Runtime API commands is on disk; throws when it could not be written. */
    private static void awaitWritten(Future<?> written) {
        if (written == null) {
            return;
        }
        try {
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the files were written", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the files could not be written: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Sends one step of a plan and reads back what it changed, in one round trip; throws when a
     * command failed or HAProxy does not have what the step was to change.
     */
    private void applyStep(List<RuntimeCommand> commands, Set<HostName> hosts, Set<String> sections, ProxyLayout desired) {
        if (commands.isEmpty()) {
            return;
        }
        RuntimeApi.ReadBack now = runtimeApi.applyAndRead(commands, mapFile, hosts, sections);
        for (HostName host : hosts) {
            String section = now.hosts().get(host);
            String wanted = desired.route(host).map(Route::target).orElse(null);
            if (!Objects.equals(section, wanted)) {
                throw new IllegalStateException("host " + host + " maps to " + section + " instead of " + wanted);
            }
        }
        for (String section : sections) {
            Map<String, RuntimeState.Server> running = now.servers().getOrDefault(section, Map.of());
            Slot slot = desired.slot(section).orElseThrow();
            for (var s : slot.servers()) {
                RuntimeState.Server server = running.get(s.name());
                if (server == null || !server.address().equals(s.address()) || server.port() != s.port() || !server.ready()) {
                    throw new IllegalStateException("server " + section + "/" + s.name() + " is " + server + " instead of "
                            + s.address() + ":" + s.port() + " and ready");
                }
            }
        }
    }

    /** Brings HAProxy to {@code next} with a reload; false (and reported) when it must keep the last good files. */
    private boolean applyWithReload(ProxyLayout next, long revision) {
        Path candidate = settings.configFile().resolveSibling(settings.configFile().getFileName() + ".candidate");
        long t0 = System.nanoTime();
        String text = render(next);
        String map = renderer.renderMap(next);
        String state = text + map;
        if (failedStateInvalid && state.equals(failedState)) {
            failAgain(revision);
            return false;
        }
        writeAtomically(candidate, text);
        String problems = validator.problems(candidate);
        timer.record("validate", System.nanoTime() - t0);
        if (problems != null) {
            fail(revision, state, true,
                    "rendered configuration for revision " + revision + " is not valid, HAProxy keeps the last good one: " + problems);
            return false;
        }
        long t1 = System.nanoTime();
        String previousConfig = readIfExists(settings.configFile());
        String previousMap = readIfExists(settings.mapFile());
        ProcStatus before = cli.showProc();
        writeAtomically(settings.mapFile(), map);
        move(candidate, settings.configFile());
        cli.send("reload");
        String outcome = awaitReload(before, next.slots().size());
        if (outcome != null) {
            if (previousConfig != null) {
                writeAtomically(settings.configFile(), previousConfig);
            }
            if (previousMap != null) {
                writeAtomically(settings.mapFile(), previousMap);
            }
            fail(revision, state, false,
                    "reload for revision " + revision + " failed, HAProxy keeps the last good configuration: " + outcome);
            return false;
        }
        timer.record("reload", System.nanoTime() - t1);
        live = next;
        runtime = RuntimeState.of(next);
        forgetRetiring();
        status = status.reloaded();
        LOG.infof("agent %s: revision %d is live (reload confirmed by the master)", settings.agentId(), revision);
        return true;
    }

    /** Null when the master confirms a new worker within the limit for {@code sections} backend sections, else why not. */
    private String awaitReload(ProcStatus before, int sections) {
        Duration limit = settings.reloadTimeout().forSections(sections);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ProcStatus now = cli.showProc();
                if (now.showsFailedReloadAfter(before)) {
                    return "the master reported a failed reload (see HAProxy's output)";
                }
                if (now.confirmsReloadAfter(before)) {
                    seen(now);
                    return null;
                }
            } catch (RuntimeException masterBusy) {
                LOG.debugf("master not answering during reload: %s", masterBusy.getMessage());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "no new worker within " + limit.toMillis() + " ms (lbagent.reload-timeout plus "
                + settings.reloadTimeout().perThousandSections().toMillis() + " ms per 1,000 of its " + sections
                + " backend sections)";
    }

    /** Deletes the servers in maintenance whose connections are gone; shuts down what is left after the drain timeout. */
    private void retireDrained() {
        if (retiring.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<ServerRef, Long> e : new ArrayList<>(retiring.entrySet())) {
            ServerRef r = e.getKey();
            try {
                RuntimeCommand delete = RuntimeCommand.delete(r.section(), r.server());
                String answer = runtimeApi.send(delete);
                if (delete.succeeded(answer)) {
                    retiring.remove(r);
                    if (runtime != null) {
                        runtime = runtime.without(r.section(), r.server());
                    }
                } else if (RuntimeCommand.OnServer.stillConnected(answer)
                        && now - e.getValue() > settings.serverDrainTimeout().toNanos()) {
                    LOG.infof("agent %s: server %s/%s still has connections after %d s; shutting them down",
                            settings.agentId(), r.section(), r.server(), settings.serverDrainTimeout().toSeconds());
                    runtimeApi.send(RuntimeCommand.shutdownSessions(r.section(), r.server()));
                } else if (answer.contains("maintenance")) {
                    runtimeApi.send(RuntimeCommand.maintenance(r.section(), r.server()));
                } else if (!RuntimeCommand.OnServer.stillConnected(answer)) {
                    notDeletedYet(r, "HAProxy answered: " + answer.strip());
                }
            } catch (RuntimeException haproxyAway) {
                notDeletedYet(r, haproxyAway.getMessage());
            }
        }
        retiringChanged();
        if (!retiring.isEmpty()) {
            loop.schedule(this::retireQuietly, RETIRE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** HAProxy was reloaded or restarted: the servers that were leaving are gone with its old state. */
    private void forgetRetiring() {
        retiring.clear();
        retiringChanged();
    }

    /** Publishes what is retiring now to {@link #leaving()} (read off the loop by the status and the gauges). */
    private void retiringChanged() {
        undeletableWarned.retainAll(retiring.keySet());
        leaving = new Leaving(retiring.size(), undeletableWarned.size());
    }

    /**
     * A delete that failed for another reason than the server's open connections: warned once per
     * server (the loop tries again every {@value #RETIRE_RETRY_MILLIS} ms, so a cause that lasts
     * would otherwise go unseen), then at debug.
     */
    private void notDeletedYet(ServerRef r, String why) {
        if (undeletableWarned.add(r)) {
            LOG.warnf("agent %s: server %s/%s is not deleted yet (%s); trying again every %d ms", settings.agentId(),
                    r.section(), r.server(), why, RETIRE_RETRY_MILLIS);
        } else {
            LOG.debugf("server %s/%s not deleted yet: %s", r.section(), r.server(), why);
        }
    }

    private void retireQuietly() {
        try {
            retireDrained();
        } catch (RuntimeException e) {
            LOG.debugf("retiring servers: %s", e.getMessage());
        }
    }

    /**
     * Notices a HAProxy that stopped or restarted behind the agent's back: a master that died (the
     * agent that started it starts it again from the files), or a new master or worker it did not
     * reload to. What HAProxy has is then read again before the next change.
     */
    private void watchHaproxy() {
        try {
            ensureHaproxyRuns();
            ProcStatus now = cli.showProc();
            boolean restarted = lastProc != null && (now.masterPid() != lastProc.masterPid()
                    || !now.workers().equals(lastProc.workers()));
            if (restarted) {
                LOG.infof("agent %s: HAProxy was restarted or reloaded by someone else (master %d, workers %s); reading what it has",
                        settings.agentId(), now.masterPid(), now.workers());
                live = null;
                runtime = null;
                forgetRetiring();
                trigger();
            }
            seen(now);
            status = status.serving(!now.workers().isEmpty(), now.reloads());
            if (!now.workers().isEmpty() && !now.workers().equals(maxConnectionsReadFrom)) {
                readMaxConnections(now.workers());
            }
        } catch (RuntimeException notAnswering) {
            if (status.haproxyServing()) {
                LOG.warnf("agent %s: HAProxy's master does not answer: %s", settings.agentId(), notAnswering.getMessage());
            }
            status = status.serving(false, status.haproxyReloads());
        }
    }

    /** What a new worker runs with, for the status; a worker that does not tell is asked again at the next look. */
    private void readMaxConnections(List<Long> workers) {
        try {
            status = status.maxConnections(cli.workerMaxConnections());
            maxConnectionsReadFrom = workers;
        } catch (RuntimeException notTold) {
            LOG.debugf("agent %s: HAProxy's worker did not tell its maxconn: %s", settings.agentId(), notTold.getMessage());
        }
    }

    /** What the master said last: the workers a restart is told by, and the one the Runtime API is trusted from. */
    private void seen(ProcStatus proc) {
        lastProc = proc;
        worker.currentWorker(proc);
    }

    /** Starts HAProxy again from the files when this agent started it and it is gone. */
    private void ensureHaproxyRuns() {
        if (launcher == null || launcher.isAlive()) {
            return;
        }
        LOG.warnf("agent %s: HAProxy (pid %d) is gone; starting it again from %s", settings.agentId(), launcher.pid(),
                settings.configFile());
        launcher.close();
        String file = readIfExists(settings.configFile());
        int sections = file == null ? 0 : HaproxyConfigRenderer.sections(file).size();
        launcher = HaproxyLauncher.start(settings.binary(), settings.configFile(), settings.masterSocket(),
                settings.reloadTimeout().forSections(sections));
        lookOnExit(launcher);
        live = null;
        runtime = null;
        forgetRetiring();
        seen(cli.showProc());
        trigger();
    }

    /**
     * Looks at HAProxy the moment the master this agent runs exits (a dead worker takes its master
     * along), rather than at the next look a second later: every moment without HAProxy refuses
     * connections.
     */
    private void lookOnExit(HaproxyLauncher master) {
        master.onExit(() -> {
            try {
                loop.execute(this::watchHaproxy);
            } catch (RejectedExecutionException closing) {
                LOG.debugf("agent %s is closing; HAProxy (pid %d) not looked at again", settings.agentId(), master.pid());
            }
        });
    }

    private boolean leaseAlive() {
        return store.agentStates().agents().containsKey(settings.agentId());
    }

    private String render(ProxyLayout layout) {
        long t0 = System.nanoTime();
        String text = renderer.render(layout, settings.haproxy(), mapFile);
        timer.record("render", System.nanoTime() - t0);
        return text;
    }

    /**
     * Reports that the desired {@code state} cannot be applied, once per distinct state: a warning,
     * the failure in the agent's progress in etcd (what lb-config-service waits on) and
     * {@code LbAgentFailed}. The same state asked for again at a newer revision (the periodic re-read
     * moves the revision on, and so does the agent's own progress write) is not reported again.
     *
     * @param invalid the state failed validation: it is not validated again
     */
    private void fail(long revision, String state, boolean invalid, String reason) {
        status = status.with(false, status.appliedRevision(), reason);
        if (state.equals(failedState)) {
            failAgain(revision);
            return;
        }
        LOG.warnf("agent %s: %s", settings.agentId(), reason);
        failedState = state;
        failedStateInvalid = invalid;
        failedRevision = revision;
        reportFailure(revision, reason);
        failures.failed(settings.agentId(), revision, reason);
    }

    /**
     * A newer revision still asks for the state that failed: only the failed revision in etcd moves
     * on, so that a command waiting for that revision learns at once that it cannot be applied.
     */
    private void failAgain(long revision) {
        // a lower one too: etcd went back in time, and a command waits for that revision
        if (revision != failedRevision) {
            LOG.debugf("agent %s: revision %d asks for the configuration that failed before; not reported again",
                    settings.agentId(), revision);
            failedRevision = revision;
            reportFailure(revision, status.lastFailure());
        }
    }

    private void reportFailure(long revision, String reason) {
        try {
            store.reportProgress(lease, new AgentProgress(settings.agentId(), status.appliedRevision(), Instant.now(), reason, revision));
        } catch (RuntimeException e) {
            LOG.warnf("agent %s cannot report its failure to etcd: %s", settings.agentId(), e.getMessage());
        }
    }

    private void onWatchError(Throwable t) {
        LOG.infof("agent %s: watch ended (%s); reading everything and watching again", settings.agentId(), t.getMessage());
        refreshDue.set(true);
        trigger();
    }

    private static void writeAtomically(Path file, String content) {
        writeAtomically(file, out -> out.write(content));
    }

    /** What a file is made of, written to it piece by piece. */
    private interface FileContent {
        void writeTo(Writer out) throws IOException;
    }

    private static void writeAtomically(Path file, FileContent content) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            content.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        move(tmp, file);
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readIfExists(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        reread.shutdownNow();
        loop.shutdownNow();
        files.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mirror.close();
        try {
            store.unregister(lease);
        } catch (RuntimeException e) {
            LOG.debugf("lease not revoked: %s", e.getMessage());
        }
        if (launcher != null) {
            launcher.close();
        }
    }
}
