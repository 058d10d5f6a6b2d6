package io.bgdeploy.lbagent.sync;

import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import io.bgdeploy.lbagent.haproxy.HaproxyLauncher;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import io.bgdeploy.lbagent.haproxy.ServerChanges;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one HAProxy in step with etcd. A reconcile reads everything at one revision, renders,
 * skips identical output, validates the file with {@code haproxy -c}, swaps it in atomically,
 * reloads through the master socket and waits until the master confirms a new worker, and only
 * then reports the revision as applied. A change of server addresses only goes through the Runtime
 * API instead. Changes that arrive during a reconcile are coalesced into the next one. A file that
 * fails validation or a failed reload never replaces the last good configuration.
 */
public final class HaproxyAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HaproxyAgent.class);

    /** Where failures are reported (lb-events in the service). */
    public interface FailureListener {
        void failed(String agentId, long revision, String reason);
    }

    /** Receives how long each step of a reconcile took: read, render, validate, reload, runtime-api, report. */
    public interface StepTimer {
        void record(String step, long nanos);
    }

    /** What the agent's health check shows. */
    public record Status(boolean healthy, long appliedRevision, String lastFailure, int reloads, int runtimeUpdates) {
    }

    private final EtcdAgentStore store;
    private final HaproxyConfigRenderer renderer;
    private final AgentSettings settings;
    private final FailureListener failures;
    private final StepTimer timer;
    private final ConfigValidator validator;
    private final MasterCli cli;
    private final ScheduledExecutorService loop;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean rewatch = new AtomicBoolean(true);
    private final List<CloseableClient> keepers = new CopyOnWriteArrayList<>();
    private final List<Watch.Watcher> watchers = new ArrayList<>();

    private HaproxyLauncher launcher;
    private volatile long lease;
    private volatile String liveConfig;
    private volatile Status status = new Status(true, 0, null, 0, 0);
    private volatile long failedRevision = -1;
    private volatile boolean reportDue = true;

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
        } else {
            liveConfig = readIfExists(settings.configFile());
        }
        loop.execute(this::registerQuietly);
        trigger();
        long every = settings.reconcileInterval().toMillis();
        loop.scheduleWithFixedDelay(this::reconcileQuietly, every, every, TimeUnit.MILLISECONDS);
        LOG.infof("agent %s follows etcd for HAProxy at %s (config %s, public %s, stats %s)", settings.agentId(),
                settings.masterSocket(), settings.configFile(), settings.haproxy().publicBind(), settings.haproxy().statsBind());
    }

    public Status status() {
        return status;
    }

    public String agentId() {
        return settings.agentId();
    }

    /** Asks for a reconcile; several requests before it starts become one. */
    public void trigger() {
        if (pending.compareAndSet(false, true)) {
            loop.execute(this::reconcileQuietly);
        }
    }

    private void startHaproxy() {
        Optional<HaproxyLauncher> running = HaproxyLauncher.adopt(settings.masterSocket());
        if (running.isPresent()) {
            launcher = running.get();
            liveConfig = null;
            LOG.infof("agent %s adopted the HAProxy already running at %s (pid %d); the first reconcile reloads it",
                    settings.agentId(), settings.masterSocket(), launcher.pid());
            return;
        }
        try {
            Files.createDirectories(settings.configFile().toAbsolutePath().getParent());
            String initial;
            try {
                initial = renderer.render(store.read().model(), settings.haproxy());
            } catch (RuntimeException etcdDown) {
                LOG.warnf("agent %s: etcd not readable at start (%s); starting HAProxy with an empty configuration",
                        settings.agentId(), etcdDown.getMessage());
                initial = renderer.render(LbModel.EMPTY, settings.haproxy());
            }
            writeAtomically(settings.configFile(), initial);
            String problems = validator.problems(settings.configFile());
            if (problems != null) {
                throw new IllegalStateException("initial configuration is not valid: " + problems);
            }
            launcher = HaproxyLauncher.start(settings.binary(), settings.configFile(), settings.masterSocket(),
                    settings.reloadTimeout());
            liveConfig = initial;
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
        keepers.forEach(CloseableClient::close);
        keepers.clear();
        lease = store.register(new AgentRegistration(settings.agentId(), hostName(), Instant.now()),
                settings.leaseTtl(), new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        LOG.warnf("agent %s lost its lease keep-alive (%s); registering again", settings.agentId(), t.getMessage());
                        lease = 0;
                        trigger();
                    }

                    @Override
                    public void onCompleted() {
                        lease = 0;
                        trigger();
                    }
                }, keepers);
    }

    private void reconcileQuietly() {
        pending.set(false);
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("agent %s: reconcile failed, HAProxy keeps its configuration: %s", settings.agentId(), e.getMessage());
            rewatch.set(true);
        }
    }

    private void reconcile() {
        if (lease == 0 || !leaseAlive()) {
            register();
        }
        long t0 = System.nanoTime();
        Snapshot snapshot = store.read();
        long t1 = System.nanoTime();
        timer.record("read", t1 - t0);
        if (rewatch.getAndSet(false)) {
            watchFrom(snapshot.revision() + 1);
        }
        if (!snapshot.problems().isEmpty()) {
            LOG.warnf("agent %s: %d invalid entries in etcd are left out: %s", settings.agentId(),
                    snapshot.problems().size(), snapshot.problems());
        }
        String next = renderer.render(snapshot.model(), settings.haproxy());
        timer.record("render", System.nanoTime() - t1);
        if (!next.equals(liveConfig)) {
            if (!apply(next, snapshot.revision())) {
                return;
            }
        }
        if (snapshot.revision() > status.appliedRevision() || failedRevision >= 0 || reportDue) {
            long t2 = System.nanoTime();
            store.reportProgress(lease, new AgentProgress(settings.agentId(), snapshot.revision(), Instant.now(), null, 0));
            reportDue = false;
            timer.record("report", System.nanoTime() - t2);
            failedRevision = -1;
            status = new Status(true, snapshot.revision(), null, status.reloads(), status.runtimeUpdates());
        }
    }

    private boolean leaseAlive() {
        return store.agentStates().agents().containsKey(settings.agentId());
    }

    /** Brings HAProxy to {@code next}; false (and reported) when it must keep the last good file. */
    private boolean apply(String next, long revision) {
        Path candidate = settings.configFile().resolveSibling(settings.configFile().getFileName() + ".candidate");
        long t0 = System.nanoTime();
        writeAtomically(candidate, next);
        String problems = validator.problems(candidate);
        timer.record("validate", System.nanoTime() - t0);
        if (problems != null) {
            fail(revision, "rendered configuration for revision " + revision + " is not valid, HAProxy keeps the last good one: " + problems);
            return false;
        }
        Optional<List<ServerChanges.Change>> moves = liveConfig == null ? Optional.empty() : ServerChanges.between(liveConfig, next);
        long t1 = System.nanoTime();
        if (moves.isPresent() && runtimeUpdate(moves.get())) {
            move(candidate, settings.configFile());
            timer.record("runtime-api", System.nanoTime() - t1);
            liveConfig = next;
            status = new Status(true, status.appliedRevision(), null, status.reloads(), status.runtimeUpdates() + 1);
            LOG.infof("agent %s: revision %d applied through the Runtime API (%d server(s) moved)", settings.agentId(),
                    revision, moves.get().size());
            return true;
        }
        String previous = readIfExists(settings.configFile());
        ProcStatus before = cli.showProc();
        move(candidate, settings.configFile());
        cli.send("reload");
        String outcome = awaitReload(before);
        if (outcome != null) {
            if (previous != null) {
                writeAtomically(settings.configFile(), previous);
            }
            fail(revision, "reload for revision " + revision + " failed, HAProxy keeps the last good configuration: " + outcome);
            return false;
        }
        timer.record("reload", System.nanoTime() - t1);
        liveConfig = next;
        status = new Status(true, status.appliedRevision(), null, status.reloads() + 1, status.runtimeUpdates());
        LOG.infof("agent %s: revision %d is live (reload confirmed by the master)", settings.agentId(), revision);
        return true;
    }

    private boolean runtimeUpdate(List<ServerChanges.Change> moves) {
        try {
            for (ServerChanges.Change c : moves) {
                String answer = cli.runtime(c.command()).strip();
                if (!answer.isEmpty() && !answer.startsWith("IP changed") && !answer.startsWith("no need to change")
                        && !answer.contains("port changed")) {
                    LOG.infof("agent %s: Runtime API refused '%s' (%s); reloading instead", settings.agentId(), c.command(), answer);
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.infof("agent %s: Runtime API failed (%s); reloading instead", settings.agentId(), e.getMessage());
            return false;
        }
    }

    /** Null when the master confirms a new worker, else why not. */
    private String awaitReload(ProcStatus before) {
        long deadline = System.nanoTime() + settings.reloadTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ProcStatus now = cli.showProc();
                if (now.showsFailedReloadAfter(before)) {
                    return "the master reported a failed reload (see HAProxy's output)";
                }
                if (now.confirmsReloadAfter(before)) {
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
        return "no new worker within " + settings.reloadTimeout().toMillis() + " ms";
    }

    private void fail(long revision, String reason) {
        LOG.warnf("agent %s: %s", settings.agentId(), reason);
        status = new Status(false, status.appliedRevision(), reason, status.reloads(), status.runtimeUpdates());
        if (failedRevision != revision) {
            failedRevision = revision;
            try {
                store.reportProgress(lease, new AgentProgress(settings.agentId(), status.appliedRevision(), Instant.now(), reason, revision));
            } catch (RuntimeException e) {
                LOG.warnf("agent %s cannot report its failure to etcd: %s", settings.agentId(), e.getMessage());
            }
            failures.failed(settings.agentId(), revision, reason);
        }
    }

    private synchronized void watchFrom(long revision) {
        watchers.forEach(Watch.Watcher::close);
        watchers.clear();
        for (String prefix : List.of(EtcdLayout.PROXY, EtcdLayout.CONFIG)) {
            watchers.add(store.watch(prefix, revision, Watch.listener(this::onWatch, this::onWatchError)));
        }
    }

    private void onWatch(WatchResponse response) {
        if (!response.getEvents().isEmpty()) {
            trigger();
        }
    }

    private void onWatchError(Throwable t) {
        LOG.infof("agent %s: watch ended (%s); reading everything and watching again", settings.agentId(), t.getMessage());
        rewatch.set(true);
        trigger();
    }

    private static void writeAtomically(Path file, String content) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            move(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            watchers.forEach(Watch.Watcher::close);
            keepers.forEach(CloseableClient::close);
        }
        if (lease != 0) {
            try {
                store.revoke(lease);
            } catch (RuntimeException e) {
                LOG.debugf("lease not revoked: %s", e.getMessage());
            }
        }
        if (launcher != null) {
            launcher.close();
        }
    }
}
