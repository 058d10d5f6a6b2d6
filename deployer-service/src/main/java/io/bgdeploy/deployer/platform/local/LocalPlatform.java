package io.bgdeploy.deployer.platform.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bgdeploy.deployer.platform.Platform;
import io.bgdeploy.deployer.platform.PodInfo;
import io.bgdeploy.deployer.platform.PodListener;
import io.bgdeploy.deployer.platform.WorkloadSpec;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The embedded platform: every pod is a process on this machine, started from the first
 * container's command (or the command configured for its image), with a free local port for every
 * container port, reachable at 127.0.0.1. Output lines become container-log records; a process
 * that ends is restarted with a growing back-off and counted, as the kubelet does. Pod state is
 * kept in a directory so that a restarted deployer adopts the pods that still run.
 */
public final class LocalPlatform implements Platform {

    private static final Logger LOG = Logger.getLogger(LocalPlatform.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final ObjectMapper JSON = EventCodec.mapper();

    /** Settings of the local platform. */
    public record Settings(Map<String, String> images, List<String> builtinImages, Path stateDir,
                           Duration restartBackoff, Duration maxRestartBackoff, Duration terminationGrace,
                           String nodeName) {
    }

    private final Settings settings;
    private final Consumer<ContainerLogRecord> logs;
    private final Map<String, LocalWorkload> workloads = new ConcurrentHashMap<>();
    private volatile Path builtinClasspath;

    public LocalPlatform(Settings settings, Consumer<ContainerLogRecord> logs) {
        this.settings = new Settings(settings.images(), settings.builtinImages(), settings.stateDir().toAbsolutePath(),
                settings.restartBackoff(), settings.maxRestartBackoff(), settings.terminationGrace(), settings.nodeName());
        this.logs = logs;
        try {
            Files.createDirectories(this.settings.stateDir().resolve("pods"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local platform's state directory " + this.settings.stateDir(), e);
        }
        adoptRunningPods();
    }

    @Override
    public String name() {
        return "local";
    }

    Settings settings() {
        return settings;
    }

    Consumer<ContainerLogRecord> logs() {
        return logs;
    }

    private static String key(String namespace, String workload) {
        return namespace + "/" + workload;
    }

    @Override
    public List<String> check(WorkloadSpec spec) {
        return LocalLaunch.problems(spec, settings.images(), settings.builtinImages());
    }

    @Override
    public void create(WorkloadSpec spec, PodListener listener) {
        LocalWorkload workload = new LocalWorkload(this, spec.namespace(), spec.name(), spec, listener);
        if (workloads.putIfAbsent(key(spec.namespace(), spec.name()), workload) != null) {
            throw new IllegalStateException("workload " + spec.name() + " already exists in " + spec.namespace());
        }
        workload.scale(spec.replicas());
    }

    @Override
    public void attach(String namespace, String workloadName, PodListener listener) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        if (w != null) {
            w.attach(listener);
        }
    }

    @Override
    public List<PodInfo> pods(String namespace, String workloadName) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        return w == null ? List.of() : w.runningPods();
    }

    @Override
    public boolean exists(String namespace, String workloadName) {
        return workloads.containsKey(key(namespace, workloadName));
    }

    @Override
    public void scale(String namespace, String workloadName, int replicas) {
        LocalWorkload w = workloads.get(key(namespace, workloadName));
        if (w != null) {
            w.scale(replicas);
        }
    }

    @Override
    public void delete(String namespace, String workloadName) {
        LocalWorkload w = workloads.remove(key(namespace, workloadName));
        if (w != null) {
            w.scale(0);
        }
    }

    @Override
    public List<String> workloads(String namespace, String appName) {
        List<String> names = new ArrayList<>();
        workloads.forEach((k, w) -> {
            if (k.startsWith(namespace + "/") && appName.equals(w.appName())) {
                names.add(w.name());
            }
        });
        return names;
    }

    @Override
    public List<WorkloadRef> managedWorkloads() {
        return workloads.values().stream().map(w -> new WorkloadRef(w.namespace(), w.name())).toList();
    }

    /** Stops every pod (the deployer's shutdown in tests; a real shutdown leaves pods running). */
    public void stopAll() {
        workloads.values().forEach(w -> {
            w.attach(PodListener.NONE);
            w.scale(0);
        });
        workloads.clear();
    }

    String newPodName(String workloadName) {
        StringBuilder s = new StringBuilder(workloadName).append('-');
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    static int freePort() {
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

    private void adoptRunningPods() {
        List<Path> files;
        try (Stream<Path> s = Files.list(settings.stateDir().resolve("pods"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        } catch (IOException e) {
            LOG.warnf("cannot read pod state in %s: %s", settings.stateDir(), e.getMessage());
            return;
        }
        for (Path file : files) {
            try {
                LocalPodState state = JSON.readValue(file.toFile(), LocalPodState.class);
                var handle = ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive)
                        .filter(h -> h.info().startInstant().map(t -> t.toEpochMilli() == state.startedMillis()).orElse(false));
                if (handle.isEmpty()) {
                    Files.deleteIfExists(file);
                    continue;
                }
                LocalWorkload w = workloads.computeIfAbsent(key(state.namespace(), state.workload()),
                        k -> new LocalWorkload(this, state.namespace(), state.workload(), null, PodListener.NONE));
                w.adopt(state, handle.get());
                LOG.infof("adopted pod %s (pid %d) of workload %s in %s", state.podName(), state.pid(),
                        state.workload(), state.namespace());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("ignoring unreadable pod state %s: %s", file, e.getMessage());
            }
        }
    }
}
