package io.bgdeploy.health.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.health.model.DashboardSnapshot.AlertView;
import io.bgdeploy.health.model.DashboardSnapshot.AppView;
import io.bgdeploy.health.model.DashboardSnapshot.DataStoreView;
import io.bgdeploy.health.model.DashboardSnapshot.NodeView;
import io.bgdeploy.health.model.DashboardSnapshot.PodView;
import io.bgdeploy.health.model.DashboardSnapshot.Summary;
import io.bgdeploy.health.model.DashboardSnapshot.VersionView;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What this instance knows about nodes, pods, data stores and alerts, merged from pod events,
 * probes and (on Kubernetes) the cluster watch. Every change bumps {@link #revision()} so that
 * open pages are pushed a new snapshot. Thread-safe; no framework types.
 */
public final class DashboardState {

    public static final String STARTING = "starting";
    /** A pod without a health check: it serves while it runs. */
    public static final String NO_CHECK = "no check";

    private final Clock clock;
    private final int maxAlerts;
    private final AtomicLong revision = new AtomicLong();
    private final Map<String, PodEntry> pods = new HashMap<>();
    private final Map<String, NodeView> nodes = new TreeMap<>();
    private final Map<String, DataStoreView> dataStores = new TreeMap<>();
    private final Deque<AlertView> alerts = new ArrayDeque<>();
    private final Map<String, List<ServingAlert>> servingAlerts = new TreeMap<>();

    public DashboardState(Clock clock, int maxAlerts) {
        this.clock = clock;
        this.maxAlerts = maxAlerts;
    }

    public long revision() {
        return revision.get();
    }

    /** A pod started; {@code probeUrl} is absent when it has no health check. */
    public synchronized void podStarted(PodRef pod, String node, String address, String probeUrl) {
        PodEntry e = entry(pod);
        e.node = node;
        e.address = address;
        e.probeUrl = probeUrl;
        e.health = probeUrl == null ? NO_CHECK : STARTING;
        e.serving = probeUrl == null;
        e.fromEvents = true;
        changed();
    }

    public synchronized void probed(PodRef pod, ProbeResult probe) {
        PodEntry e = pods.get(key(pod));
        if (e != null) {
            e.lastProbe = probe;
            changed();
        }
    }

    public synchronized void healthChanged(PodRef pod, PodHealthState state, ProbeResult probe) {
        if (state == PodHealthState.GONE) {
            podGone(pod);
            return;
        }
        PodEntry e = entry(pod);
        e.health = state.name().toLowerCase();
        e.serving = state.isServing();
        if (probe != null) {
            e.lastProbe = probe;
        }
        changed();
    }

    public synchronized void restarted(PodRef pod, int restartCount, String reason) {
        PodEntry e = entry(pod);
        e.restarts = Math.max(e.restarts, restartCount);
        if (reason != null) {
            e.lastTerminationReason = reason;
        }
        changed();
    }

    public synchronized void podGone(PodRef pod) {
        if (pods.remove(key(pod)) != null) {
            changed();
        }
    }

    /** What a cluster watch sees of a pod. */
    public synchronized void clusterPod(PodRef pod, String node, String address, String phase, int restarts,
                                        String lastTerminationReason, boolean containersReady) {
        PodEntry e = entry(pod);
        e.node = node;
        e.address = address;
        e.phase = phase;
        e.restarts = restarts;
        e.lastTerminationReason = lastTerminationReason;
        e.fromCluster = true;
        if (!e.fromEvents) {
            e.health = containersReady ? "ready" : "not ready";
            e.serving = containersReady;
        }
        changed();
    }

    public synchronized void clusterPodDeleted(PodRef pod) {
        PodEntry e = pods.get(key(pod));
        if (e != null && !e.fromEvents) {
            pods.remove(key(pod));
            changed();
        }
    }

    /** Forgets pods another instance now reports (their partition moved). */
    public synchronized void releasePods(Predicate<PodRef> which) {
        if (pods.values().removeIf(e -> e.fromEvents && !e.fromCluster && which.test(e.pod))) {
            changed();
        }
    }

    public synchronized void node(NodeView node) {
        nodes.put(node.name(), node);
        changed();
    }

    public synchronized void nodeDeleted(String name) {
        if (nodes.remove(name) != null) {
            changed();
        }
    }

    public synchronized void dataStore(DataStoreView store) {
        dataStores.put(store.name(), store);
        changed();
    }

    public synchronized void alert(RestartAlertRaised alert) {
        PodRef p = alert.pod();
        alerts.addFirst(new AlertView(clock.instant(), p.namespace(), p.appName(), p.version(), p.podName(),
                alert.restartsInWindow(), alert.windowSeconds(), alert.threshold(), alert.lastReason()));
        while (alerts.size() > maxAlerts) {
            alerts.removeLast();
        }
        changed();
    }

    /** The serving alerts raised now for an app ({@code <namespace>/<appName>}); an empty list clears them. */
    public synchronized void servingAlerts(String appKey, List<ServingAlert> active) {
        List<ServingAlert> before = servingAlerts.getOrDefault(appKey, List.of());
        if (active.isEmpty()) {
            servingAlerts.remove(appKey);
        } else {
            servingAlerts.put(appKey, List.copyOf(active));
        }
        if (!before.equals(active)) {
            changed();
        }
    }

    /** The pods of one version of an app, as the serving check counts them. */
    public synchronized List<PodStatus> podsOf(String appKey, String version) {
        List<PodStatus> out = new ArrayList<>();
        for (PodEntry e : pods.values()) {
            if (e.pod.key().equals(appKey) && e.pod.version().equals(version)) {
                String problem = e.serving ? null : e.health
                        + (e.lastProbe != null && e.lastProbe.error() != null ? " (" + e.lastProbe.error() + ")" : "");
                out.add(new PodStatus(e.pod.podName(), e.serving, !STARTING.equals(e.health), problem));
            }
        }
        out.sort(Comparator.comparing(PodStatus::name));
        return out;
    }

    public synchronized DashboardSnapshot snapshot() {
        Map<String, Map<String, List<PodView>>> byApp = new TreeMap<>();
        int serving = 0;
        int unhealthy = 0;
        for (PodEntry e : pods.values()) {
            PodView view = e.view();
            byApp.computeIfAbsent(e.pod.namespace() + "/" + e.pod.appName(), k -> new TreeMap<>())
                    .computeIfAbsent(e.pod.version(), k -> new ArrayList<>()).add(view);
            if (view.serving()) {
                serving++;
            } else if ("unhealthy".equals(view.health())) {
                unhealthy++;
            }
        }
        List<AppView> apps = new ArrayList<>();
        byApp.forEach((key, versions) -> {
            Keys.AppRef ref = Keys.parseApp(key);
            List<VersionView> vs = new ArrayList<>();
            versions.forEach((version, list) -> {
                list.sort(Comparator.comparing(PodView::pod));
                vs.add(new VersionView(version, (int) list.stream().filter(PodView::serving).count(), list.size(),
                        List.copyOf(list)));
            });
            apps.add(new AppView(ref.namespace(), ref.appName(), List.copyOf(vs)));
        });
        int nodesNotReady = (int) nodes.values().stream().filter(n -> !n.ready()).count();
        int storesDown = (int) dataStores.values().stream().filter(d -> Boolean.FALSE.equals(d.up())).count();
        List<ServingAlert> servingAlertList = servingAlerts.values().stream().flatMap(List::stream).toList();
        Summary summary = new Summary(pods.size(), serving, unhealthy, nodes.size(), nodesNotReady, storesDown,
                alerts.size(), servingAlertList.size());
        return new DashboardSnapshot(clock.instant(), revision.get(), summary, List.copyOf(nodes.values()),
                List.copyOf(apps), List.copyOf(dataStores.values()), List.copyOf(alerts), servingAlertList);
    }

    private PodEntry entry(PodRef pod) {
        return pods.computeIfAbsent(key(pod), k -> new PodEntry(pod));
    }

    private void changed() {
        revision.incrementAndGet();
    }

    private static String key(PodRef pod) {
        return Keys.pod(pod.namespace(), pod.podName());
    }

    private static final class PodEntry {
        final PodRef pod;
        String node;
        String address;
        String probeUrl;
        String health = STARTING;
        boolean serving;
        String phase;
        int restarts;
        String lastTerminationReason;
        ProbeResult lastProbe;
        boolean fromEvents;
        boolean fromCluster;

        PodEntry(PodRef pod) {
            this.pod = pod;
        }

        PodView view() {
            return new PodView(pod.namespace(), pod.appName(), pod.version(), pod.podName(), pod.deploymentId(),
                    node, address, probeUrl, health, serving, phase, restarts, lastTerminationReason, lastProbe);
        }
    }
}
