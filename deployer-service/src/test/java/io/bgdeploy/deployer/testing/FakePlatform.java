package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A platform whose pods run the moment they are created, at 10.0.0.x, for tests of the flow. Its
 * stable addresses are a map from {@code <namespace>/<appName>} to the version they select.
 */
public final class FakePlatform implements Platform {

    public final Map<String, WorkloadSpec> workloads = new ConcurrentHashMap<>();
    public final Map<String, String> stable = new ConcurrentHashMap<>();
    /** Runs at every change of a stable address, before it is made, with the app key and the new version (null = removed). */
    public volatile BiConsumer<String, String> onStableChange = (app, version) -> {
    };
    /** Runs before every deletion, with {@code <namespace>/<workload>}; a test makes it throw to play a platform error. */
    public volatile java.util.function.Consumer<String> onDelete = workload -> {
    };
    private final Map<String, List<PodInfo>> pods = new ConcurrentHashMap<>();
    private final Map<String, PodListener> listeners = new ConcurrentHashMap<>();
    /** Pods of deleted workloads still stopping: reporting each gone. */
    private final List<Runnable> stopping = new ArrayList<>();
    private int nextIp = 1;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public List<String> check(WorkloadSpec spec) {
        return List.of();
    }

    @Override
    public synchronized void create(WorkloadSpec spec, PodListener listener) {
        String key = spec.namespace() + "/" + spec.name();
        if (workloads.putIfAbsent(key, spec) != null) {
            throw new IllegalStateException("exists: " + key);
        }
        List<PodInfo> list = new ArrayList<>();
        for (int i = 0; i < spec.replicas(); i++) {
            PodInfo pod = new PodInfo(spec.name() + "-p" + i, "10.0.0." + nextIp++, Map.of(), "node-1");
            list.add(pod);
        }
        pods.put(key, list);
        listeners.put(key, listener);
        list.forEach(listener::podRunning);
    }

    /** The pods of a workload are gone, as after a restart of a platform that stops them with it. */
    public synchronized void losePods(String namespace, String workloadName) {
        pods.put(namespace + "/" + workloadName, List.of());
    }

    /** One pod of the workload is replaced by a new one at a new address, as Kubernetes reschedules a pod. */
    public synchronized void replacePod(String namespace, String workloadName) {
        String key = namespace + "/" + workloadName;
        List<PodInfo> list = new ArrayList<>(pods.get(key));
        PodInfo old = list.remove(0);
        PodInfo moved = new PodInfo(old.name() + "-moved", "10.0.0." + nextIp++, Map.of(), "node-2");
        list.add(moved);
        pods.put(key, list);
        listeners.get(key).podGone(old.name(), "evicted");
        listeners.get(key).podRunning(moved);
    }

    @Override
    public boolean needsRestore(WorkloadSpec spec) {
        return workloads.containsKey(spec.namespace() + "/" + spec.name())
                && pods(spec.namespace(), spec.name()).size() < spec.replicas();
    }

    @Override
    public synchronized boolean restore(WorkloadSpec spec, PodListener listener) {
        String key = spec.namespace() + "/" + spec.name();
        List<PodInfo> list = new ArrayList<>(pods.getOrDefault(key, List.of()));
        List<PodInfo> started = new ArrayList<>();
        while (list.size() < spec.replicas()) {
            PodInfo pod = new PodInfo(spec.name() + "-r" + list.size(), "10.0.0." + nextIp++, Map.of(), "node-1");
            list.add(pod);
            started.add(pod);
        }
        pods.put(key, list);
        listeners.put(key, listener);
        started.forEach(listener::podRunning);
        return !started.isEmpty();
    }

    @Override
    public void attach(String namespace, String workloadName, PodListener listener) {
        listeners.put(namespace + "/" + workloadName, listener);
        pods.getOrDefault(namespace + "/" + workloadName, List.of()).forEach(listener::podRunning);
    }

    @Override
    public List<PodInfo> pods(String namespace, String workloadName) {
        return List.copyOf(pods.getOrDefault(namespace + "/" + workloadName, List.of()));
    }

    @Override
    public boolean exists(String namespace, String workloadName) {
        return workloads.containsKey(namespace + "/" + workloadName);
    }

    /** Scaled to 0, the pods stop later (reported gone by {@link #finishStopping}). */
    @Override
    public synchronized void scale(String namespace, String workloadName, int replicas) {
        String key = namespace + "/" + workloadName;
        if (replicas == 0 && workloads.containsKey(key)) {
            stopLater(listeners.get(key), pods.put(key, List.of()));
        }
    }

    private void stopLater(PodListener listener, List<PodInfo> gone) {
        if (listener != null && gone != null) {
            gone.forEach(pod -> stopping.add(() -> listener.podGone(pod.name(), "deleted")));
        }
    }

    /**
     * Deletes at once; the pods stop later, as on Kubernetes and the local platform: they are
     * reported gone when the test calls {@link #finishStopping}.
     */
    @Override
    public synchronized void delete(String namespace, String workloadName) {
        String key = namespace + "/" + workloadName;
        onDelete.accept(key);
        workloads.remove(key);
        stopLater(listeners.remove(key), pods.remove(key));
    }

    /** The pods of deleted workloads finish stopping: each is reported gone. Returns how many. */
    public int finishStopping() {
        List<Runnable> now;
        synchronized (this) {
            now = List.copyOf(stopping);
            stopping.clear();
        }
        now.forEach(Runnable::run);
        return now.size();
    }

    @Override
    public boolean routeStable(WorkloadSpec serving) {
        String app = serving.namespace() + "/" + serving.appName();
        onStableChange.accept(app, serving.version());
        stable.put(app, serving.version());
        return true;
    }

    @Override
    public boolean removeStable(String namespace, String appName, String version) {
        String app = namespace + "/" + appName;
        if (!version.equals(stable.get(app))) {
            return false;
        }
        onStableChange.accept(app, null);
        return stable.remove(app, version);
    }

    @Override
    public List<String> workloads(String namespace, String appName) {
        return workloads.values().stream().filter(w -> w.namespace().equals(namespace) && w.appName().equals(appName))
                .map(WorkloadSpec::name).toList();
    }

    @Override
    public List<WorkloadRef> managedWorkloads() {
        return workloads.values().stream().map(w -> new WorkloadRef(w.namespace(), w.name())).toList();
    }
}
