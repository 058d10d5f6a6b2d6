package io.bgdeploy.localplatform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pods of one {@code <appName>-<version>} on the local platform. */
final class LocalWorkload {

    private final LocalPlatform platform;
    private final String namespace;
    private final String name;
    /** Null for a workload adopted from a stopped supervisor until a supervisor that keeps it restores it. */
    private volatile LaunchSpec spec;
    private volatile String appName;
    private volatile PodListener listener;
    private final List<LocalPod> pods = new ArrayList<>();
    /** Pods that ended while no process supervised them, reported gone to the next listener. */
    private final List<String> lostPods = new ArrayList<>();

    LocalWorkload(LocalPlatform platform, String namespace, String name, LaunchSpec spec, PodListener listener) {
        this.platform = platform;
        this.namespace = namespace;
        this.name = name;
        this.spec = spec;
        this.appName = spec == null ? null : spec.appName();
        this.listener = listener;
    }

    String name() {
        return name;
    }

    String namespace() {
        return namespace;
    }

    String appName() {
        return appName;
    }

    PodListener listener() {
        return listener;
    }

    synchronized void attach(PodListener newListener) {
        this.listener = newListener;
        lostPods.forEach(name -> newListener.podGone(name, "ended while no process supervised it"));
        if (newListener != PodListener.NONE) {
            lostPods.clear();
        }
        for (LocalPod pod : pods) {
            RunningPod info = pod.info();
            if (info != null) {
                newListener.podRunning(info);
            }
        }
    }

    /** Supervises a pod another process started; its state file now names this one. */
    synchronized void adopt(LocalPodState state) {
        appName = state.appName();
        LocalPod pod = LocalPod.adopted(platform, this, state);
        platform.holdPorts(pod.heldPorts());
        pods.add(pod);
        pod.saveState();
        pod.start();
    }

    /** A pod of this workload that ended while no process supervised it. */
    synchronized void lost(String ofApp, String podName) {
        if (appName == null) {
            appName = ofApp;
        }
        lostPods.add(podName);
    }

    /**
     * Reports to the listener from now on (the pods that ended meanwhile as gone) and starts the
     * pods the workload lacks; returns how many were started.
     */
    int restore(LaunchSpec kept, PodListener newListener) {
        int missing;
        synchronized (this) {
            if (spec == null) {
                spec = kept;
                appName = kept.appName();
            }
            attach(newListener);
            missing = spec.replicas() - pods.size();
        }
        if (missing > 0) {
            scale(spec.replicas());
        }
        return Math.max(0, missing);
    }

    /**
     * Begins to stop every pod and leaves their state files, so that the next supervising process
     * knows they existed.
     */
    void stopKeepingState() {
        List<LocalPod> toStop;
        synchronized (this) {
            listener = PodListener.NONE;
            toStop = List.copyOf(pods);
            pods.clear();
        }
        toStop.forEach(p -> platform.terminate(p, false));
    }

    synchronized boolean hasPod(String podName) {
        return pods.stream().anyMatch(p -> p.name().equals(podName));
    }

    synchronized List<LocalPod> pods() {
        return List.copyOf(pods);
    }

    void scale(int replicas) {
        List<LocalPod> toStop = new ArrayList<>();
        synchronized (this) {
            while (pods.size() < replicas) {
                if (spec == null) {
                    throw new IllegalStateException("workload " + name + " was adopted after a restart and cannot be"
                            + " scaled up: deploy a new version");
                }
                LocalPod pod = newPod();
                pods.add(pod);
                pod.start();
            }
            while (pods.size() > replicas) {
                toStop.add(pods.remove(pods.size() - 1));
            }
        }
        toStop.forEach(p -> platform.terminate(p, true));
    }

    /**
     * A pod of the spec: a free local port for every port of the pod and every container port of
     * any container (one network per pod); each container's {@code PORT} is its own first port (the
     * first container's falls back to the pod's first port, e.g. the health-check port; another
     * container without ports gets a free port of its own).
     */
    private LocalPod newPod() {
        String podName = platform.newPodName(name);
        List<LaunchSpec.Container> containers = spec.containers();
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        spec.ports().forEach(p -> ports.putIfAbsent(p, platform.freePort()));
        containers.forEach(c -> c.ports().forEach(p -> ports.computeIfAbsent(p, k -> platform.freePort())));
        List<LocalLaunch> launches = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            List<Integer> own = containers.get(i).ports();
            int port = !own.isEmpty() ? ports.get(own.get(0))
                    : i == 0 && !ports.isEmpty() ? ports.values().iterator().next() : platform.freePort();
            launches.add(LocalLaunch.of(spec, i, podName, ports, port, platform.settings().images(),
                    platform.settings().builtinImages()));
        }
        return LocalPod.create(platform, this, podName, spec.appName(), spec.version(), spec.deploymentId(), ports, launches);
    }

    synchronized List<RunningPod> runningPods() {
        List<RunningPod> result = new ArrayList<>();
        for (LocalPod pod : pods) {
            RunningPod info = pod.info();
            if (info != null) {
                result.add(info);
            }
        }
        return result;
    }

    /** Stops supervising every pod without stopping them, as if this process died. */
    synchronized void abandon() {
        pods.forEach(LocalPod::abandon);
        pods.clear();
    }
}
