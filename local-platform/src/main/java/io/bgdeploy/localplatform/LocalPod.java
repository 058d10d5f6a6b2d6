package io.bgdeploy.localplatform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One local pod: one supervised process per container of the pod spec, sharing the pod's ports.
 * The pod runs (and is reported running, once) when every container runs; a container's restart
 * is reported with that container's own count, as the kubelet does.
 */
final class LocalPod {

    private static final Log LOG = Log.of(LocalPod.class);

    private final LocalPlatform platform;
    private final LocalWorkload workload;
    private final String name;
    private final String appName;
    private final String version;
    private final String deploymentId;
    private final Map<Integer, Integer> ports;
    private final List<LocalContainer> containers = new ArrayList<>();
    /** Guarded by this: the pod was reported running; the pod was stopped or abandoned (its state file is final). */
    private boolean reported;
    private boolean ended;

    private LocalPod(LocalPlatform platform, LocalWorkload workload, String name, String appName, String version,
                     String deploymentId, Map<Integer, Integer> ports) {
        this.platform = platform;
        this.workload = workload;
        this.name = name;
        this.appName = appName;
        this.version = version;
        this.deploymentId = deploymentId;
        this.ports = Map.copyOf(ports);
    }

    /** A new pod whose containers start from these launches. */
    static LocalPod create(LocalPlatform platform, LocalWorkload workload, String name, String appName, String version,
                           String deploymentId, Map<Integer, Integer> ports, List<LocalLaunch> launches) {
        LocalPod pod = new LocalPod(platform, workload, name, appName, version, deploymentId, ports);
        launches.forEach(l -> pod.containers.add(new LocalContainer(platform, pod, l, null, 0)));
        return pod;
    }

    /**
     * A pod another process started: containers that still run are supervised as they are,
     * one that ended meanwhile is started again and counted as a restart.
     */
    static LocalPod adopted(LocalPlatform platform, LocalWorkload workload, LocalPodState s) {
        return of(platform, workload, s, true);
    }

    /** A pod another process had begun to delete, to finish stopping it: no container is started again. */
    static LocalPod deleted(LocalPlatform platform, LocalWorkload workload, LocalPodState s) {
        return of(platform, workload, s, false);
    }

    private static LocalPod of(LocalPlatform platform, LocalWorkload workload, LocalPodState s, boolean kept) {
        LocalPod pod = new LocalPod(platform, workload, s.podName(), s.appName(), s.version(), s.deploymentId(), s.ports());
        for (LocalPodState.Container c : s.containers()) {
            ProcessHandle live = LocalPlatform.liveProcess(c.pid(), c.startedMillis()).orElse(null);
            if (live == null && kept) {
                LOG.warn("pod %s container %s ended while no process supervised it: starting it again", s.podName(), c.name());
            }
            pod.containers.add(new LocalContainer(platform, pod, c.launch(), live, live == null ? c.restarts() + 1 : c.restarts()));
        }
        return pod;
    }

    String name() {
        return name;
    }

    String namespace() {
        return workload.namespace();
    }

    String appName() {
        return appName;
    }

    String version() {
        return version;
    }

    String deploymentId() {
        return deploymentId;
    }

    List<LocalContainer> containers() {
        return containers;
    }

    void start() {
        containers.forEach(LocalContainer::start);
    }

    /** Address and ports while every container runs; null otherwise. */
    RunningPod info() {
        return containers.stream().allMatch(LocalContainer::running) ? address() : null;
    }

    private RunningPod address() {
        return new RunningPod(name, "127.0.0.1", ports, platform.settings().nodeName());
    }

    /**
     * A container's process started (or was adopted): the state file names it first, and only then
     * does the container count as running, so that a pod reported running is always one another
     * process could adopt whole.
     */
    void containerStarted(LocalContainer container) {
        boolean report;
        synchronized (this) {
            saveState();
            container.markRunning();
            report = !ended && !reported && containers.stream().allMatch(LocalContainer::running);
            reported |= report;
        }
        if (report) {
            workload.listener().podRunning(address());
        }
    }

    void containerRestarted(LocalContainer container, int restartCount, String reason) {
        workload.listener().podRestarted(address(), container.name(), restartCount, reason);
    }

    /** Writes the state file: this process as supervisor, every container's process. */
    synchronized void saveState() {
        if (!ended) {
            writeState(null);
        }
    }

    private void writeState(Instant terminatingSince) {
        LocalPodState state = new LocalPodState(workload.namespace(), workload.name(), appName, version, deploymentId, name,
                ports, platform.settings().supervisor(), containers.stream().map(LocalContainer::state).toList(),
                terminatingSince);
        Path file = platform.podStateFile(workload.namespace(), name);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, LocalPlatform.JSON.writeValueAsBytes(state));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the file stays with default permissions where POSIX permissions do not exist
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("pod %s: cannot save its state (another process will not adopt it): %s", name, e.getMessage());
        }
    }

    /**
     * Stops supervising the containers (none is restarted from now on) and returns their processes
     * that still run, for {@link PodTerminations} to stop in the background.
     *
     * @param terminatingSince when the pod's deletion began, written to its state file so that no other
     *                         supervisor adopts it into its workload again; null when the pod only stops
     *                         with its supervisor (its state file stays as it is, for the next one)
     */
    List<ProcessHandle> stopSupervising(Instant terminatingSince) {
        synchronized (this) {
            if (terminatingSince != null) {
                writeState(terminatingSince);
            }
            ended = true;
        }
        List<ProcessHandle> mains = new ArrayList<>();
        for (LocalContainer c : containers) {
            ProcessHandle h = c.stopSupervising();
            if (h != null) {
                mains.add(h);
            }
        }
        return mains;
    }

    /**
     * Every process of the pod has ended: its containers' files are read to their end (so the lines
     * written while handling SIGTERM are delivered), its ports are free for new pods and, when it
     * was deleted, its files go and it is reported gone.
     *
     * @param forget whether the pod was deleted (false when the supervisor stops with its pods: the
     *               next supervising process reports them gone and replaces them)
     */
    void exited(boolean forget) {
        containers.forEach(c -> platform.logs().finish(c.logFiles(), forget));
        platform.releasePorts(heldPorts());
        if (!forget) {
            return;
        }
        try {
            Files.deleteIfExists(platform.podStateFile(workload.namespace(), name));
        } catch (IOException e) {
            LOG.debug("pod %s: state file not deleted: %s", name, e.getMessage());
        }
        workload.listener().podGone(name, "deleted");
    }

    /** The local ports the pod's containers may listen on: every port of the pod and each container's {@code PORT}. */
    Set<Integer> heldPorts() {
        Set<Integer> held = new HashSet<>(ports.values());
        containers.forEach(c -> c.port().ifPresent(held::add));
        return held;
    }

    /** Stops supervising without stopping any process or touching the state file, as if this process died. */
    void abandon() {
        synchronized (this) {
            ended = true;
        }
        containers.forEach(LocalContainer::stopSupervising);
    }
}
