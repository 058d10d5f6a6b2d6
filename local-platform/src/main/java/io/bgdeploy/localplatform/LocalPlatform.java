package io.bgdeploy.localplatform;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bgdeploy.events.EventCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Pods as processes on this machine, a stand-in for Kubernetes in development and tests: every
 * pod of a {@link LaunchSpec} is a set of processes, one per container, started from the
 * container's command (or the command configured for its image), with a free local port for every
 * container port of the pod, reachable at 127.0.0.1. Each process writes its output to files in
 * the state directory, which are read from saved positions into container-log records for the
 * {@link ContainerLogSink} (so lines written while no supervisor runs are delivered later); a
 * process that ends is restarted with a growing back-off and counted, as the kubelet does, and one
 * whose resident memory exceeds its container's memory limit is killed and restarted as
 * {@code OOMKilled}. Pod state is kept in a directory, with the process that supervises each pod
 * (the one that runs this platform), so that another process (this one restarted, or a sibling
 * once this one is gone) adopts the pods that still run. The pods' lifecycle goes to the
 * {@link PodListener} of their workload.
 */
public final class LocalPlatform {

    private static final Log LOG = Log.of(LocalPlatform.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * The platform's own files (pod state, log positions), read past fields of a later version: a
     * supervisor of an earlier one (the suite rolled back) still adopts the pods a later one started.
     */
    static final ObjectMapper JSON = EventCodec.storedStateMapper();

    /**
     * Settings of the local platform.
     *
     * @param images            command lines for images run without a command, by image name with or
     *                          without tag; {@code builtin-http} runs the built-in HTTP server
     * @param builtinImages     images (by name without registry and tag) that run the built-in HTTP
     *                          server when {@code images} has no command for them
     * @param stateDir          where pod state and the containers' output files are kept
     * @param memoryCheckPeriod how often every container's resident memory is compared with its limit; zero
     *                          turns the check off
     * @param podNiceness       how many steps of niceness containers run above this process's, 0 to 19
     *                          ({@link PodPriority})
     * @param supervisor        this process, recorded in every pod state file
     * @param maxLogFileBytes   size above which a container's output file is truncated once every line
     *                          in it is delivered
     * @param settingsPrefix    where these settings are configured (e.g. {@code deployer.local.}), to name
     *                          the one to change in an error message
     */
    public record Settings(Map<String, String> images, List<String> builtinImages, Path stateDir,
                           Duration restartBackoff, Duration maxRestartBackoff, Duration terminationGrace,
                           String nodeName, Duration memoryCheckPeriod, int podNiceness, Supervisor supervisor,
                           long maxLogFileBytes, String settingsPrefix) {
    }

    /** A workload by namespace and name. */
    public record WorkloadName(String namespace, String name) {
    }

    /**
     * The container log lines the platform hands to its {@link ContainerLogSink} and waits for at
     * most, over all its containers: a sink must be able to hold this many records (and about 1 MiB
     * of line text) without refusing any. What the containers write beyond that waits in their files.
     */
    public static final int MAX_LOG_LINES_IN_FLIGHT = 2048;

    /** How often the containers' output files are read. */
    private static final Duration LOG_POLL_INTERVAL = Duration.ofMillis(100);
    /** How long the sink may take to confirm a round of lines before they are read and sent again. */
    private static final Duration LOG_CONFIRM_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How much longer than the grace period {@link #stopAll} waits for the pods to stop: SIGKILL, and
     * the final read of their files while the sink confirms.
     */
    private static final Duration STOP_ALL_MARGIN = Duration.ofSeconds(40);

    /**
     * A supervising process, by pid and start time (a pid alone may be reused by a later process).
     *
     * @param startedMillis the process's start time in epoch milliseconds, as {@link ProcessHandle.Info} gives it
     */
    public record Supervisor(long pid, long startedMillis) {

        /** This JVM. */
        public static Supervisor current() {
            return of(ProcessHandle.current());
        }

        public static Supervisor of(ProcessHandle process) {
            return new Supervisor(process.pid(), startMillis(process));
        }

        /** Whether this very process still runs. */
        public boolean alive() {
            return liveProcess(pid, startedMillis).isPresent();
        }
    }

    /** Serialises adoption between platforms of this JVM; a file lock does the same between processes. */
    private static final Object ADOPTION = new Object();

    private final Settings settings;
    private final PodPriority priority;
    private final LogFollower logs;
    private final Map<String, LocalWorkload> workloads = new ConcurrentHashMap<>();
    private final ScheduledExecutorService memoryWatchdog;
    private final PodTerminations terminations = new PodTerminations();
    /** The local ports of every pod until its processes ended (a stopping pod may still listen on them). */
    private final Set<Integer> portsHeld = ConcurrentHashMap.newKeySet();
    private final IntSupplier portSource;
    private volatile Path builtinClasspath;

    public LocalPlatform(Settings settings, ContainerLogSink logs) {
        this(settings, logs, LocalPlatform::unusedPort);
    }

    /** @param portSource a local port that nothing listens on now (tests choose which) */
    LocalPlatform(Settings settings, ContainerLogSink logs, IntSupplier portSource) {
        this.portSource = portSource;
        if (settings.memoryCheckPeriod().isNegative()) {
            throw new IllegalArgumentException(settings.settingsPrefix() + "memory-check-period " + settings.memoryCheckPeriod()
                    + " is negative: give a period such as 1s, or 0s to turn the memory check off");
        }
        this.settings = new Settings(settings.images(), settings.builtinImages(), settings.stateDir().toAbsolutePath(),
                settings.restartBackoff(), settings.maxRestartBackoff(), settings.terminationGrace(), settings.nodeName(),
                settings.memoryCheckPeriod(), settings.podNiceness(), settings.supervisor(), settings.maxLogFileBytes(),
                settings.settingsPrefix());
        this.priority = PodPriority.of(settings.podNiceness(), System.getenv("PATH"), settings.settingsPrefix());
        if (settings.maxLogFileBytes() <= 0) {
            throw new IllegalArgumentException(settings.settingsPrefix() + "max-log-file-size " + settings.maxLogFileBytes()
                    + " is not positive: give a size such as 10M");
        }
        try {
            Files.createDirectories(this.settings.stateDir().resolve("pods"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local platform's state directory " + this.settings.stateDir(), e);
        }
        memoryWatchdog = startMemoryWatchdog();
        this.logs = new LogFollower(logs, LOG_POLL_INTERVAL, LOG_CONFIRM_TIMEOUT, this.settings.maxLogFileBytes());
    }

    Settings settings() {
        return settings;
    }

    PodPriority priority() {
        return priority;
    }

    LogFollower logs() {
        return logs;
    }

    private static String key(String namespace, String workload) {
        return namespace + "/" + workload;
    }

    /**
     * Why the workload cannot run here, one line per problem naming its container and what to do;
     * empty when it can.
     *
     * @param containersPath how the caller's input names the list of containers, to name one in a
     *                       problem (e.g. {@code podspec.containers} gives {@code podspec.containers[1]: ...})
     */
    public List<String> problems(LaunchSpec spec, String containersPath) {
        return LocalLaunch.problems(spec, settings.images(), settings.builtinImages(), settings.settingsPrefix(),
                containersPath);
    }

    /** Starts the workload's pods; they are reported to the listener as they run. */
    public void create(LaunchSpec spec, PodListener listener) {
        LocalWorkload workload = new LocalWorkload(this, spec.namespace(), spec.name(), spec, listener);
        if (workloads.putIfAbsent(key(spec.namespace(), spec.name()), workload) != null) {
            throw new IllegalStateException("workload " + spec.name() + " already exists in " + spec.namespace());
        }
        workload.scale(spec.replicas());
    }

    /** Reports the workload's pods to this listener from now on (the pods that run now at once). */
    public void attach(String namespace, String workloadName, PodListener listener) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        if (w != null) {
            w.attach(listener);
        }
    }

    /** The workload's pods whose every container runs. */
    public List<RunningPod> pods(String namespace, String workloadName) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        return w == null ? List.of() : w.runningPods();
    }

    /** Whether this platform supervises a workload of that name (at any scale). */
    public boolean exists(String namespace, String workloadName) {
        return workloads.containsKey(key(namespace, workloadName));
    }

    /**
     * Starts or stops pods until the workload has that many; 0 stops every pod. Returns at once: the
     * pods to stop leave {@link #pods} now and stop in the background, as on Kubernetes
     * ({@link #terminatingPods}).
     */
    public void scale(String namespace, String workloadName, int replicas) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        if (w != null) {
            w.scale(replicas);
        }
    }

    /**
     * Forgets the workload and stops its pods; nothing happens if it does not exist. Returns at once,
     * as a delete on Kubernetes does once the API server accepted it: the workload is gone from
     * {@link #exists}, {@link #workloads} and {@link #pods} now (a workload of the same name can be
     * created again), and its pods stop in the background ({@link #terminatingPods}): SIGTERM, SIGKILL
     * after the grace period, their last lines delivered, then each is reported gone to the
     * workload's listener and its ports are free for new pods.
     */
    public void delete(String namespace, String workloadName) {
        LocalWorkload w = workloads.remove(key(namespace, workloadName));
        if (w != null) {
            w.scale(0);
        }
    }

    /** Whether the workload runs fewer pods here than it should (this platform was stopped with its pods). */
    public boolean needsRestore(LaunchSpec spec) {
        LocalWorkload w = workloads.get(key(spec.namespace(), spec.name()));
        return w == null || w.pods().size() < spec.replicas();
    }

    /**
     * Starts the pods a kept workload lacks, on new ports, and reports its pods to the listener from
     * now on: after this platform was stopped (its pods stopped with it, or died while no supervisor
     * ran), the workload's pods are gone. The pods that ended meanwhile are reported gone (as new
     * pods, not restarts); pods that were adopted because they still ran are kept.
     *
     * @return whether pods were started
     */
    public boolean restore(LaunchSpec spec, PodListener listener) {
        LocalWorkload w = workloads.computeIfAbsent(key(spec.namespace(), spec.name()),
                k -> new LocalWorkload(this, spec.namespace(), spec.name(), spec, listener));
        int started = w.restore(spec, listener);
        if (started > 0) {
            LOG.info("workload %s in %s restored: %d pod(s) started again on new ports", spec.name(), spec.namespace(),
                    started);
        }
        return started > 0;
    }

    /** The names of the app's workloads in the namespace. */
    public List<String> workloads(String namespace, String appName) {
        List<String> names = new ArrayList<>();
        workloads.forEach((k, w) -> {
            if (k.startsWith(namespace + "/") && appName.equals(w.appName())) {
                names.add(w.name());
            }
        });
        return names;
    }

    /** Every workload this platform supervises, in every namespace. */
    public List<WorkloadName> managedWorkloads() {
        return workloads.values().stream().map(w -> new WorkloadName(w.namespace(), w.name())).toList();
    }

    /**
     * Adopts the app's pods whose supervising process no longer runs (their state files name it),
     * so that this platform can scale, delete and attach them. Pods of a supervisor that still runs
     * are left to it. Safe to call again and while other apps' workloads change.
     *
     * @return whether pods were adopted
     */
    public boolean takeOver(String namespace, String appName) {
        return adoptOrphans(state -> state.namespace().equals(namespace) && appName.equals(state.appName()), true) > 0;
    }

    /**
     * The apps ({@code <namespace>/<app>}) that have pods in the state directory whose supervising
     * process no longer runs.
     */
    public Set<String> appsToTakeOver() {
        Set<String> apps = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(settings.stateDir().resolve("pods"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        } catch (IOException e) {
            LOG.warn("cannot read the local platform's state directory %s: %s", settings.stateDir(), e.getMessage());
            return apps;
        }
        for (Path file : files) {
            try {
                LocalPodState state = JSON.readValue(file.toFile(), LocalPodState.class);
                if (!state.supervisor().equals(settings.supervisor()) && !state.supervisor().alive()) {
                    apps.add(state.namespace() + "/" + state.appName());
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("skipping pod state %s: %s", file, e.getMessage());
            }
        }
        return apps;
    }

    /**
     * Stops every pod (a supervisor that stops with its pods: tests and the local run; otherwise
     * pods outlive it). The pods' state files stay: the next supervising process reports those pods
     * gone and starts the workloads it keeps again.
     */
    public void stopAll() {
        if (memoryWatchdog != null) {
            memoryWatchdog.shutdownNow();
        }
        workloads.values().forEach(LocalWorkload::stopKeepingState);
        workloads.clear();
        Duration bound = settings.terminationGrace().plus(STOP_ALL_MARGIN);
        if (!terminations.awaitAll(bound)) {
            LOG.warn("pods %s had not stopped %d s after the local platform began to stop: left as they are",
                    terminatingPods(), bound.toSeconds());
        }
        terminations.shutdown();
        logs.stop();
    }

    /**
     * The pods ({@code <namespace>/<pod>}) whose stop has begun (scaled down, deleted, or stopped with
     * the platform) and whose processes have not all ended yet, or whose last lines are not
     * delivered yet.
     */
    public List<String> terminatingPods() {
        return terminations.terminating().stream().map(p -> p.namespace() + "/" + p.name()).sorted().toList();
    }

    /**
     * Stops the pod in the background: SIGTERM, SIGKILL after the grace period, its last lines read.
     *
     * @param forget whether the pod is deleted (marked so in its state file at once, so that no other
     *               supervisor adopts it again; its files go once it stopped, and it is reported gone)
     */
    void terminate(LocalPod pod, boolean forget) {
        Instant now = Instant.now();
        List<ProcessHandle> mains = pod.stopSupervising(forget ? now : null);
        terminations.terminate(pod, mains, now.plus(settings.terminationGrace()), forget);
    }

    /**
     * A pod a stopped supervisor had begun to delete: its stop is finished here (what still runs gets
     * SIGTERM again and SIGKILL once the grace period that began then is over); it is not adopted
     * into its workload. Its state file names this process from now on.
     */
    private void finishDeletion(LocalPodState state) {
        LocalWorkload deleted = new LocalWorkload(this, state.namespace(), state.workload(), null, PodListener.NONE);
        LocalPod pod = LocalPod.deleted(this, deleted, state);
        holdPorts(pod.heldPorts());
        List<ProcessHandle> mains = pod.stopSupervising(state.terminatingSince());
        terminations.terminate(pod, mains, state.terminatingSince().plus(settings.terminationGrace()), true);
        LOG.info("pod %s of workload %s in %s was being deleted when its supervisor %d stopped: its stop is finished"
                + " here", state.podName(), state.workload(), state.namespace(), state.supervisor().pid());
    }

    /**
     * Stops supervising every pod but leaves the processes and their state files, as a supervisor
     * killed with SIGKILL would; another process can then adopt them.
     */
    void abandon() {
        if (memoryWatchdog != null) {
            memoryWatchdog.shutdownNow();
        }
        terminations.abandon();
        workloads.values().forEach(LocalWorkload::abandon);
        workloads.clear();
        logs.stop();
    }

    String newPodName(String workloadName) {
        StringBuilder s = new StringBuilder(workloadName).append('-');
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /**
     * A local port for a new pod: free now, and held by no pod of this platform (a pod that stops may
     * have closed its listener and still run: its ports are not handed out until it ended).
     */
    int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = portSource.getAsInt();
            if (portsHeld.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free local port that no local pod holds in 100 attempts: stop pods");
    }

    /** Ports of an adopted pod: handed to no new pod until it ended. */
    void holdPorts(Set<Integer> ports) {
        portsHeld.addAll(ports);
    }

    /** The pod's processes ended: its ports may go to new pods. */
    void releasePorts(Set<Integer> ports) {
        portsHeld.removeAll(ports);
    }

    private static int unusedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /** The java launcher of this JVM, to run the built-in server. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A directory holding a copy of the built-in server's class file (so it runs whatever packaging this is). */
    synchronized Path builtinClasspath() {
        if (builtinClasspath == null) {
            String resource = BuiltinHttpServer.class.getName().replace('.', '/') + ".class";
            Path dir = settings.stateDir().resolve("builtin");
            Path target = dir.resolve(resource);
            try (InputStream in = BuiltinHttpServer.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("class file " + resource + " not found");
                }
                Files.createDirectories(target.getParent());
                Files.write(target, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            builtinClasspath = dir;
        }
        return builtinClasspath;
    }

    Path podStateFile(String namespace, String podName) {
        return settings.stateDir().resolve("pods").resolve(namespace + "_" + podName + ".json");
    }

    /** The process with that pid if it still runs and started at that time (not a later one reusing the pid). */
    static Optional<ProcessHandle> liveProcess(long pid, long startedMillis) {
        return pid <= 0 ? Optional.empty() : ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> startMillis(h) == startedMillis);
    }

    static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Adopts the pods (of the state directory, chosen by the filter) whose supervisor no longer runs,
     * and rewrites their state files with this process as supervisor. A pod none of whose
     * containers still runs is forgotten. Holds a lock on the state directory meanwhile, so that two
     * processes never adopt the same pod.
     *
     * @param warnLive whether a pod of a live supervisor deserves a warning (a take-over expected none)
     */
    private int adoptOrphans(Predicate<LocalPodState> filter, boolean warnLive) {
        synchronized (ADOPTION) {
            try (FileChannel channel = FileChannel.open(settings.stateDir().resolve("pods.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                return adoptLocked(filter, warnLive);
            } catch (IOException e) {
                LOG.warn("cannot lock the local platform's state directory %s, no pod adopted: %s", settings.stateDir(),
                        e.getMessage());
                return 0;
            }
        }
    }

    private int adoptLocked(Predicate<LocalPodState> filter, boolean warnLive) throws IOException {
        int adopted = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(settings.stateDir().resolve("pods"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        for (Path file : files) {
            LocalPodState state;
            try {
                state = JSON.readValue(file.toFile(), LocalPodState.class);
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring unreadable pod state %s: %s", file, e.getMessage());
                continue;
            }
            if (!filter.test(state) || state.supervisor().equals(settings.supervisor())
                    || hasPod(state.namespace(), state.workload(), state.podName())) {
                continue;
            }
            if (state.supervisor().alive()) {
                if (warnLive) {
                    LOG.warn("pod %s of app %s in %s is supervised by the process %d, which still runs:"
                            + " left to it", state.podName(), state.appName(), state.namespace(), state.supervisor().pid());
                }
                continue;
            }
            if (state.terminatingSince() != null) {
                finishDeletion(state);
                continue;
            }
            LocalWorkload w = workloads.computeIfAbsent(key(state.namespace(), state.workload()),
                    k -> new LocalWorkload(this, state.namespace(), state.workload(), null, PodListener.NONE));
            boolean anyRuns = state.containers().stream().anyMatch(c -> liveProcess(c.pid(), c.startedMillis()).isPresent());
            if (!anyRuns) {
                LOG.info("pod %s of workload %s in %s ended while no process supervised it: reported gone, and"
                        + " replaced if the workload is kept", state.podName(), state.workload(), state.namespace());
                w.lost(state.appName(), state.podName());
                deliverLogsOfEnded(state);
                Files.deleteIfExists(file);
                continue;
            }
            w.adopt(state);
            adopted++;
            LOG.info("adopted pod %s (containers %s) of workload %s in %s from the process %d", state.podName(),
                    state.containers().stream().map(c -> c.name() + " pid " + c.pid()).toList(), state.workload(),
                    state.namespace(), state.supervisor().pid());
        }
        return adopted;
    }

    /** Delivers what the containers of a pod that ended unsupervised wrote since the saved positions. */
    private void deliverLogsOfEnded(LocalPodState state) {
        for (LocalPodState.Container c : state.containers()) {
            logs.finish(new ContainerLogFiles(ContainerLogFiles.podDir(settings.stateDir(), state.namespace(), state.podName()),
                    new ContainerLogFiles.Source(state.namespace(), state.appName(), state.version(), state.podName(),
                            c.name(), settings.nodeName(), state.deploymentId())), true);
        }
    }

    private boolean hasPod(String namespace, String workload, String podName) {
        LocalWorkload w = workloads.get(key(namespace, workload));
        return w != null && w.hasPod(podName);
    }

    private ScheduledExecutorService startMemoryWatchdog() {
        if (settings.memoryCheckPeriod().isZero()) {
            LOG.info("memory limits of local containers are not enforced (" + settings.settingsPrefix() + "memory-check-period=0)");
            return null;
        }
        if (!ProcMemory.available()) {
            LOG.warn("memory limits of local containers are not enforced: this machine has no Linux /proc to read"
                    + " resident memory from");
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-platform-memory-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = settings.memoryCheckPeriod().toMillis();
        executor.scheduleWithFixedDelay(this::enforceMemoryLimits, period, Math.max(1, period), TimeUnit.MILLISECONDS);
        return executor;
    }

    private void enforceMemoryLimits() {
        try {
            workloads.values().stream().flatMap(w -> w.pods().stream()).flatMap(p -> p.containers().stream())
                    .filter(LocalContainer::limited).forEach(LocalContainer::enforceMemoryLimit);
        } catch (RuntimeException e) {
            LOG.warn("memory check of local containers failed, tried again in %s: %s", settings.memoryCheckPeriod(),
                    e.getMessage());
        }
    }
}
