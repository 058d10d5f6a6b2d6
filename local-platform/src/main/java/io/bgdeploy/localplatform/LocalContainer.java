package io.bgdeploy.localplatform;

import io.bgdeploy.events.logs.ContainerLogRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;

/**
 * One container of a local pod: a supervised process. It writes its stdout and stderr to its own
 * files ({@link ContainerLogFiles}), whose lines become container-log records tagged with the
 * container's name, whether or not a supervisor ran when they were written; when it ends while it should run, it is started again
 * after a back-off that doubles up to a maximum, and the restart is counted and reported, as the
 * kubelet does. A process tree over its memory limit is killed and restarted as {@code OOMKilled}.
 */
final class LocalContainer {

    private static final Log LOG = Log.of(LocalContainer.class);
    /** The reason the kubelet gives for a container killed over its memory limit. */
    static final String OOM_KILLED = "OOMKilled";
    /** A process that ran this long before it ended starts again without back-off. */
    private static final long STABLE_MILLIS = 60_000;
    private static final List<String> PASSED_THROUGH = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR");

    private final LocalPlatform platform;
    private final LocalPod pod;
    private final LocalLaunch launch;
    private final ContainerLogFiles logFiles;
    private volatile ProcessHandle handle;
    private volatile Process process;
    private volatile boolean desired = true;
    private volatile boolean running;
    private volatile String killedFor;
    private volatile int restarts;

    /**
     * @param adopted  the process of a container that still runs after a supervisor restart, or null to start one
     * @param restarts the restarts counted so far
     */
    LocalContainer(LocalPlatform platform, LocalPod pod, LocalLaunch launch, ProcessHandle adopted, int restarts) {
        this.platform = platform;
        this.pod = pod;
        this.launch = launch;
        this.handle = adopted;
        this.restarts = restarts;
        this.logFiles = new ContainerLogFiles(ContainerLogFiles.podDir(platform.settings().stateDir(), pod.namespace(), pod.name()),
                new ContainerLogFiles.Source(pod.namespace(), pod.appName(), pod.version(), pod.name(), launch.container(),
                        platform.settings().nodeName(), pod.deploymentId()));
    }

    String name() {
        return launch.container();
    }

    boolean running() {
        return running;
    }

    /** Called by the pod once the state file names this container's process (before that it does not count as running). */
    void markRunning() {
        running = true;
    }

    /** The local port its {@code PORT} names, if any. */
    OptionalInt port() {
        try {
            String port = launch.env().get("PORT");
            return port == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(port));
        } catch (NumberFormatException notAPort) {
            return OptionalInt.empty();
        }
    }

    int restarts() {
        return restarts;
    }

    ProcessHandle handle() {
        return handle;
    }

    /** Whether the container has a memory limit to enforce. */
    boolean limited() {
        return launch.memoryLimitBytes() > 0;
    }

    /** The pod state entry of this container, with its current process (pid 0 when none runs). */
    LocalPodState.Container state() {
        ProcessHandle h = handle;
        long pid = h == null ? 0 : h.pid();
        long started = h == null ? 0 : LocalPlatform.startMillis(h);
        return new LocalPodState.Container(launch.container(), pid, started, restarts, launch.argv(), launch.env(),
                launch.builtin(), launch.memoryLimitBytes());
    }

    void start() {
        platform.logs().follow(logFiles);
        Thread t = new Thread(this::supervise, "local-pod-" + pod.name() + "-" + name());
        t.setDaemon(true);
        t.start();
    }

    private void supervise() {
        long backoff = platform.settings().restartBackoff().toMillis();
        while (true) {
            long startedAt = System.currentTimeMillis();
            String reason;
            try {
                ProcessHandle h;
                synchronized (this) {
                    if (!desired) {
                        return;
                    }
                    h = handle != null ? handle : launch();
                    handle = h;
                }
                pod.containerStarted(this);
                int exit = waitFor(h);
                running = false;
                reason = killedFor != null ? killedFor
                        : exit == 0 ? "Completed (exit 0)" : exit < 0 ? "Error (process ended)" : "Error (exit " + exit + ")";
            } catch (IOException e) {
                running = false;
                reason = "cannot start " + launch.argv().get(0) + ": " + e.getMessage();
            }
            killedFor = null;
            synchronized (this) {
                handle = null;
                process = null;
                if (!desired) {
                    return;
                }
            }
            if (System.currentTimeMillis() - startedAt > STABLE_MILLIS) {
                backoff = platform.settings().restartBackoff().toMillis();
            }
            restarts++;
            LOG.warn("pod %s container %s (deployment %s) ended: %s; restart %d in %d ms%s", pod.name(), name(),
                    pod.deploymentId(), reason, restarts, backoff, lastErrorLine());
            pod.containerRestarted(this, restarts, reason);
            if (!pause(backoff)) {
                return;
            }
            backoff = Math.min(backoff * 2, platform.settings().maxRestartBackoff().toMillis());
        }
    }

    /** Waits the back-off; false when the container is stopped meanwhile. */
    private synchronized boolean pause(long millis) {
        long until = System.currentTimeMillis() + millis;
        while (desired && System.currentTimeMillis() < until) {
            try {
                wait(Math.max(1, until - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return desired;
    }

    /** The exit code, or -1 for an adopted process (whose exit code only its real parent sees). */
    private int waitFor(ProcessHandle h) {
        try {
            Process p = process;
            if (p != null && p.pid() == h.pid()) {
                return p.waitFor();
            }
            h.onExit().get();
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            desired = false;
            return -1;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    private ProcessHandle launch() throws IOException {
        List<String> argv = new ArrayList<>(platform.priority().commandPrefix());
        if (launch.builtin()) {
            argv.addAll(List.of(LocalPlatform.javaBinary(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Xshare:auto", "-cp", platform.builtinClasspath().toString(), BuiltinHttpServer.class.getName()));
        }
        argv.addAll(launch.argv());
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        Map<String, String> host = Map.copyOf(env);
        env.clear();
        PASSED_THROUGH.forEach(k -> {
            if (host.containsKey(k)) {
                env.put(k, host.get(k));
            }
        });
        env.putAll(launch.env());
        Path workDir = platform.settings().stateDir().resolve("work").resolve(pod.namespace()).resolve(pod.name()).resolve(name());
        Files.createDirectories(workDir);
        pb.directory(workDir.toFile());
        logFiles.prepare();
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFiles.file(ContainerLogRecord.STDOUT).toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logFiles.file(ContainerLogRecord.STDERR).toFile()));
        Process p = pb.start();
        process = p;
        p.getOutputStream().close();
        LOG.info("pod %s container %s (deployment %s) started as pid %d: %s", pod.name(), name(), pod.deploymentId(),
                p.pid(), argv);
        return p.toHandle();
    }

    private String lastErrorLine() {
        String line = logFiles.lastErrorLine();
        return line == null ? "" : "; last stderr line: " + line;
    }

    /** The container's output files, read to their end once its process is gone for good. */
    ContainerLogFiles logFiles() {
        return logFiles;
    }

    /**
     * Kills the process and its descendants (SIGKILL) when together they hold more resident memory
     * than the limit; the restart that follows is reported as {@code OOMKilled}.
     */
    void enforceMemoryLimit() {
        long limit = launch.memoryLimitBytes();
        ProcessHandle h = handle;
        if (limit <= 0 || h == null || !running) {
            return;
        }
        long rss = ProcMemory.treeRss(h);
        if (rss > limit) {
            killedFor = OOM_KILLED;
            LOG.warn("pod %s container %s (deployment %s): %d MiB resident over its limit of %d MiB: killed", pod.name(),
                    name(), pod.deploymentId(), rss >> 20, limit >> 20);
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }
    }

    /** Stops restarting the process and returns it (null when none runs); the caller ends it. */
    synchronized ProcessHandle stopSupervising() {
        desired = false;
        notifyAll();
        return handle;
    }
}
