package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.events.logs.ContainerLogRecord;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * One container of a local pod: a supervised process. Its output lines become container-log
 * records tagged with the container's name; when it ends while it should run, it is started again
 * after a back-off that doubles up to a maximum, and the restart is counted and reported, as the
 * kubelet does. A process tree over its memory limit is killed and restarted as {@code OOMKilled}.
 */
final class LocalContainer {

    private static final Logger LOG = Logger.getLogger(LocalContainer.class);
    /** The reason the kubelet gives for a container killed over its memory limit. */
    static final String OOM_KILLED = "OOMKilled";
    private static final int MAX_LINE = 16 * 1024;
    /** A process that ran this long before it ended starts again without back-off. */
    private static final long STABLE_MILLIS = 60_000;
    private static final List<String> PASSED_THROUGH = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR");

    private final LocalPlatform platform;
    private final LocalPod pod;
    private final LocalLaunch launch;
    private volatile ProcessHandle handle;
    private volatile Process process;
    private volatile boolean desired = true;
    private volatile boolean running;
    private volatile String lastErrorLine;
    private volatile String killedFor;
    private volatile int restarts;

    /**
     * @param adopted  the process of a container that still runs after a deployer restart, or null to start one
     * @param restarts the restarts counted so far
     */
    LocalContainer(LocalPlatform platform, LocalPod pod, LocalLaunch launch, ProcessHandle adopted, int restarts) {
        this.platform = platform;
        this.pod = pod;
        this.launch = launch;
        this.handle = adopted;
        this.restarts = restarts;
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
            LOG.warnf("pod %s container %s (deployment %s) ended: %s; restart %d in %d ms%s", pod.name(), name(),
                    pod.deploymentId(), reason, restarts, backoff, lastErrorLine == null ? "" : "; last stderr line: " + lastErrorLine);
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
        List<String> argv = new ArrayList<>();
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
        Process p = pb.start();
        process = p;
        pump(p.getInputStream(), ContainerLogRecord.STDOUT);
        pump(p.getErrorStream(), ContainerLogRecord.STDERR);
        p.getOutputStream().close();
        LOG.infof("pod %s container %s (deployment %s) started as pid %d: %s", pod.name(), name(), pod.deploymentId(),
                p.pid(), argv);
        return p.toHandle();
    }

    private void pump(InputStream in, String stream) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.length() > MAX_LINE) {
                        line = line.substring(0, MAX_LINE);
                    }
                    if (ContainerLogRecord.STDERR.equals(stream)) {
                        lastErrorLine = line;
                    }
                    try {
                        platform.logs().accept(new ContainerLogRecord(java.time.Instant.now(), stream, line, pod.namespace(),
                                pod.appName(), pod.version(), pod.name(), name(), platform.settings().nodeName(),
                                pod.deploymentId()));
                    } catch (RuntimeException e) {
                        LOG.debugf("pod %s container %s: log line dropped: %s", pod.name(), name(), e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.debugf("pod %s container %s: %s closed: %s", pod.name(), name(), stream, e.getMessage());
            }
        }, "local-pod-" + pod.name() + "-" + name() + "-" + stream);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Kills the process and its descendants (SIGKILL) when together they hold more resident memory
     * than the limit; the restart that follows is reported as {@code OOMKilled}.
     */
    void enforceMemoryLimit(ProcMemory.Snapshot snapshot) {
        long limit = launch.memoryLimitBytes();
        ProcessHandle h = handle;
        if (limit <= 0 || h == null || !running) {
            return;
        }
        long rss = snapshot.treeRss(h.pid());
        if (rss > limit) {
            killedFor = OOM_KILLED;
            LOG.warnf("pod %s container %s (deployment %s): %d MiB resident over its limit of %d MiB: killed", pod.name(),
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
