package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.platform.PodInfo;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One local pod: a supervised process. Its output lines become container-log records; when it ends
 * while it should run, it is started again after a back-off that doubles up to a maximum, and the
 * restart is reported, as the kubelet does.
 */
final class LocalPod {

    private static final Logger LOG = Logger.getLogger(LocalPod.class);
    private static final int MAX_LINE = 16 * 1024;
    /** A process that ran this long before it ended starts again without back-off. */
    private static final long STABLE_MILLIS = 60_000;
    private static final List<String> PASSED_THROUGH = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR");

    private final LocalPlatform platform;
    private final LocalWorkload workload;
    private final String name;
    private final String container;
    private final String appName;
    private final String version;
    private final String deploymentId;
    private final Map<Integer, Integer> ports;
    private final LocalLaunch launch;
    private volatile ProcessHandle handle;
    private volatile boolean desired = true;
    private volatile boolean running;
    private volatile Process process;
    private volatile String lastErrorLine;
    private int restarts;

    LocalPod(LocalPlatform platform, LocalWorkload workload, String name, String container, String appName,
             String version, String deploymentId, Map<Integer, Integer> ports, LocalLaunch launch, ProcessHandle adopted) {
        this.platform = platform;
        this.workload = workload;
        this.name = name;
        this.container = container;
        this.appName = appName;
        this.version = version;
        this.deploymentId = deploymentId;
        this.ports = Map.copyOf(ports);
        this.launch = launch;
        this.handle = adopted;
    }

    static LocalPod adopted(LocalPlatform platform, LocalWorkload workload, LocalPodState s, ProcessHandle handle) {
        LocalLaunch launch = new LocalLaunch(s.argv(), s.env(), s.builtin());
        return new LocalPod(platform, workload, s.podName(), s.container(), s.appName(), s.version(), s.deploymentId(),
                s.ports(), launch, handle);
    }

    void start() {
        Thread t = new Thread(this::supervise, "local-pod-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Address and ports while the process runs; null otherwise. */
    PodInfo info() {
        return running ? new PodInfo(name, "127.0.0.1", ports, platform.settings().nodeName()) : null;
    }

    private void supervise() {
        long backoff = platform.settings().restartBackoff().toMillis();
        boolean reported = false;
        while (desired) {
            long startedAt = System.currentTimeMillis();
            String reason;
            try {
                ProcessHandle h = handle != null ? handle : launch();
                handle = h;
                running = true;
                if (!reported) {
                    reported = true;
                    workload.listener().podRunning(info());
                }
                int exit = waitFor(h);
                running = false;
                reason = exit == 0 ? "Completed (exit 0)" : exit < 0 ? "Error (process ended)" : "Error (exit " + exit + ")";
            } catch (IOException e) {
                running = false;
                reason = "cannot start " + launch.argv().get(0) + ": " + e.getMessage();
            }
            handle = null;
            if (!desired) {
                break;
            }
            if (System.currentTimeMillis() - startedAt > STABLE_MILLIS) {
                backoff = platform.settings().restartBackoff().toMillis();
            }
            restarts++;
            LOG.warnf("pod %s (deployment %s) ended: %s; restart %d in %d ms%s", name, deploymentId, reason, restarts, backoff,
                    lastErrorLine == null ? "" : "; last stderr line: " + lastErrorLine);
            workload.listener().podRestarted(new PodInfo(name, "127.0.0.1", ports, platform.settings().nodeName()),
                    container, restarts, reason);
            synchronized (this) {
                long until = System.currentTimeMillis() + backoff;
                while (desired && System.currentTimeMillis() < until) {
                    try {
                        wait(Math.max(1, until - System.currentTimeMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            backoff = Math.min(backoff * 2, platform.settings().maxRestartBackoff().toMillis());
        }
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
        } catch (java.util.concurrent.ExecutionException e) {
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
        Path workDir = platform.settings().stateDir().resolve("work").resolve(workload.namespace()).resolve(name);
        Files.createDirectories(workDir);
        pb.directory(workDir.toFile());
        Process p = pb.start();
        process = p;
        pump(p.getInputStream(), ContainerLogRecord.STDOUT);
        pump(p.getErrorStream(), ContainerLogRecord.STDERR);
        p.getOutputStream().close();
        saveState(p.toHandle());
        LOG.infof("pod %s (deployment %s) started as pid %d: %s", name, deploymentId, p.pid(), argv);
        return p.toHandle();
    }

    private void saveState(ProcessHandle h) {
        long started = h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        LocalPodState state = new LocalPodState(workload.namespace(), workload.name(), appName, version, deploymentId, name,
                container, h.pid(), started, ports, launch.argv(), launch.env(), launch.builtin());
        Path file = platform.podStateFile(workload.namespace(), name);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, LocalPlatform.JSON.writeValueAsBytes(state));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the file stays with default permissions where POSIX permissions do not exist
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warnf("pod %s: cannot save its state (a restarted deployer will not adopt it): %s", name, e.getMessage());
        }
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
                        platform.logs().accept(new ContainerLogRecord(Instant.now(), stream, line, workload.namespace(),
                                appName, version, name, container, platform.settings().nodeName(), deploymentId));
                    } catch (RuntimeException e) {
                        LOG.debugf("pod %s: log line dropped: %s", name, e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.debugf("pod %s: %s closed: %s", name, stream, e.getMessage());
            }
        }, "local-pod-" + name + "-" + stream);
        t.setDaemon(true);
        t.start();
    }

    /** Stops the process (SIGTERM, then SIGKILL after the grace period) and forgets the pod. */
    void stop() {
        synchronized (this) {
            desired = false;
            notifyAll();
        }
        ProcessHandle h = handle;
        if (h != null) {
            h.destroy();
            try {
                h.onExit().get(platform.settings().terminationGrace().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception notEnded) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        }
        running = false;
        try {
            Files.deleteIfExists(platform.podStateFile(workload.namespace(), name));
        } catch (IOException e) {
            LOG.debugf("pod %s: state file not deleted: %s", name, e.getMessage());
        }
        workload.listener().podGone(name, "deleted");
    }
}
