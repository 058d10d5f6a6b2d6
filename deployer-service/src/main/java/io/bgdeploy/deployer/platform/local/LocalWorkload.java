package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.platform.PodInfo;
import io.bgdeploy.deployer.platform.PodListener;
import io.bgdeploy.deployer.platform.WorkloadSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pods of one {@code <appName>-<version>} on the local platform. */
final class LocalWorkload {

    private final LocalPlatform platform;
    private final String namespace;
    private final String name;
    private final WorkloadSpec spec;
    private volatile String appName;
    private volatile PodListener listener;
    private final List<LocalPod> pods = new ArrayList<>();

    LocalWorkload(LocalPlatform platform, String namespace, String name, WorkloadSpec spec, PodListener listener) {
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
        for (LocalPod pod : pods) {
            PodInfo info = pod.info();
            if (info != null) {
                newListener.podRunning(info);
            }
        }
    }

    synchronized void adopt(LocalPodState state, ProcessHandle handle) {
        appName = state.appName();
        LocalPod pod = LocalPod.adopted(platform, this, state, handle);
        pods.add(pod);
        pod.start();
    }

    void scale(int replicas) {
        List<LocalPod> toStop = new ArrayList<>();
        synchronized (this) {
            while (pods.size() < replicas) {
                if (spec == null) {
                    throw new IllegalStateException("workload " + name + " was adopted after a restart and cannot be"
                            + " scaled up: deploy a new version");
                }
                String podName = platform.newPodName(name);
                Map<Integer, Integer> ports = new LinkedHashMap<>();
                spec.ports().forEach(p -> ports.putIfAbsent(p.containerPort(), LocalPlatform.freePort()));
                if (spec.healthCheckPort() != null) {
                    ports.putIfAbsent(spec.healthCheckPort(), LocalPlatform.freePort());
                }
                int port = ports.isEmpty() ? LocalPlatform.freePort() : ports.values().iterator().next();
                LocalLaunch launch = LocalLaunch.of(spec, podName, ports, port, platform.settings().images(),
                        platform.settings().builtinImages());
                LocalPod pod = new LocalPod(platform, this, podName, LocalLaunch.containerName(spec), spec.appName(),
                        spec.version(), spec.deploymentId(), ports, launch, null);
                pods.add(pod);
                pod.start();
            }
            while (pods.size() > replicas) {
                toStop.add(pods.remove(pods.size() - 1));
            }
        }
        toStop.parallelStream().forEach(LocalPod::stop);
    }

    synchronized List<PodInfo> runningPods() {
        List<PodInfo> result = new ArrayList<>();
        for (LocalPod pod : pods) {
            PodInfo info = pod.info();
            if (info != null) {
                result.add(info);
            }
        }
        return result;
    }
}
