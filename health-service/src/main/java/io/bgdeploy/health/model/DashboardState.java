package io.bgdeploy.health.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.events.health.AppHealthReport.PodHealth;
import io.bgdeploy.events.health.AppHealthReport.RaisedRestartAlert;
import io.bgdeploy.events.health.AppHealthReport.VersionHealth;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.health.model.DashboardSnapshot.DataStoreView;
import io.bgdeploy.health.model.DashboardSnapshot.NodeView;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What this instance knows about nodes, pods, data stores and alerts, merged from pod events,
 * probes and (on Kubernetes) the cluster watch: each pod's health, its probe latencies and
 * restarts over the last minutes, each app's restarts over time and its alerts. An app's picture
 * is an {@link AppHealthReport}, the same one other instances receive. Every change bumps
 * {@link #revision()} (open pages are pushed a new picture); a change of an app other than a
 * probe's latency bumps its {@link #appRevision} (its report is sent at once). Thread-safe; no
 * framework types.
 */
public final class DashboardState {

    public static final String STARTING = "starting";
    /** A pod without a health check: it serves while it runs. */
    public static final String NO_CHECK = "no check";
    public static final String NOT_READY = "not ready";

    private final Clock clock;
    private final DashboardSettings settings;
    private final AtomicLong revision = new AtomicLong();
    private final Map<String, PodEntry> pods = new HashMap<>();
    private final Map<String, AppEntry> apps = new TreeMap<>();
    private final Map<String, NodeView> nodes = new TreeMap<>();
    private final Map<String, DataStoreView> dataStores = new TreeMap<>();

    public DashboardState(Clock clock, DashboardSettings settings) {
        this.clock = clock;
        this.settings = settings;
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
        changed(pod.key());
    }

    /** A probe's result: the pod's last probe and its latency sparkline. */
    public synchronized void probed(PodRef pod, ProbeResult probe) {
        PodEntry e = pods.get(key(pod));
        if (e != null) {
            e.lastProbe = probe;
            e.latency.add(probe.at(), probe.latencyMillis(), !probe.healthy());
            revision.incrementAndGet();
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
        changed(pod.key());
    }

    /**
     * The pod has restarted {@code restartCount} times in total; {@code newRestarts} of them
     * happened now ({@code at}), for the marks on its sparkline and the app's restarts over time.
     */
    public synchronized void restarted(PodRef pod, int restartCount, String reason, Instant at, int newRestarts) {
        PodEntry e = entry(pod);
        e.restarts = Math.max(e.restarts, restartCount);
        if (reason != null) {
            e.lastTerminationReason = reason;
        }
        if (newRestarts > 0) {
            app(pod.key()).restarts.count(at, newRestarts);
            for (int i = 0; i < newRestarts; i++) {
                e.restartMarks.addLast(at);
            }
        }
        changed(pod.key());
    }

    public synchronized void podGone(PodRef pod) {
        if (pods.remove(key(pod)) != null) {
            changed(pod.key());
        }
    }

    /** What a cluster watch sees of a pod. */
    public synchronized void clusterPod(PodFacts facts) {
        PodEntry e = entry(facts.pod());
        e.node = facts.node();
        e.address = facts.address();
        e.phase = facts.phase();
        e.restarts = facts.restarts();
        e.lastTerminationReason = facts.lastTerminationReason();
        e.fromCluster = true;
        if (!e.fromEvents) {
            e.health = facts.containersReady() ? "ready" : NOT_READY;
            e.serving = facts.containersReady();
        }
        changed(facts.pod().key());
    }

    public synchronized void clusterPodDeleted(PodRef pod) {
        PodEntry e = pods.get(key(pod));
        if (e != null && !e.fromEvents) {
            pods.remove(key(pod));
            changed(pod.key());
        }
    }

    /** Forgets pods another instance now reports (their partition moved). */
    public synchronized void releasePods(Predicate<PodRef> which) {
        List<PodEntry> released = pods.values().stream()
                .filter(e -> e.fromEvents && !e.fromCluster && which.test(e.pod)).toList();
        released.forEach(e -> {
            pods.remove(key(e.pod));
            changed(e.pod.key());
        });
    }

    public synchronized void node(NodeView node) {
        nodes.put(node.name(), node);
        revision.incrementAndGet();
    }

    public synchronized void nodeDeleted(String name) {
        if (nodes.remove(name) != null) {
            revision.incrementAndGet();
        }
    }

    public synchronized void dataStore(DataStoreView store) {
        dataStores.put(store.name(), store);
        revision.incrementAndGet();
    }

    public synchronized void alert(RestartAlertRaised alert) {
        PodRef p = alert.pod();
        Deque<RaisedRestartAlert> recent = app(p.key()).restartAlerts;
        recent.addFirst(new RaisedRestartAlert(clock.instant(), p.version(), p.podName(), alert.restartsInWindow(),
                alert.windowSeconds(), alert.threshold(), alert.lastReason()));
        while (recent.size() > settings.recentAlerts()) {
            recent.removeLast();
        }
        changed(p.key());
    }

    /** The serving alerts raised now for an app ({@code <namespace>/<appName>}); an empty list clears them. */
    public synchronized void servingAlerts(String appKey, List<ServingAlert> active) {
        AppEntry app = apps.get(appKey);
        if (app == null && active.isEmpty()) {
            return;
        }
        app = app(appKey);
        if (!app.servingAlerts.equals(active)) {
            app.servingAlerts = List.copyOf(active);
            changed(appKey);
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

    /** Every app this instance knows something of: pods, alerts or restarts. */
    public synchronized Set<String> appKeys() {
        Set<String> keys = new TreeSet<>(apps.keySet());
        pods.values().forEach(e -> keys.add(e.pod.key()));
        return keys;
    }

    /** Grows with every change of the app but a probe's latency: a sign to report it now. */
    public synchronized long appRevision(String appKey) {
        AppEntry app = apps.get(appKey);
        return app == null ? 0 : app.revision;
    }

    /** Whether this instance probes a pod of the app (it learnt of it from pod-events). */
    public synchronized boolean probesAnyPodOf(String appKey) {
        return pods.values().stream().anyMatch(e -> e.fromEvents && e.pod.key().equals(appKey));
    }

    /** The app as this instance knows it, signed by {@code reporter}. */
    public synchronized AppHealthReport report(String appKey, String reporter, Optional<String> servingVersion) {
        Instant now = clock.instant();
        Map<String, List<PodHealth>> byVersion = new TreeMap<>();
        Map<String, Integer> servingByVersion = new HashMap<>();
        servingVersion.ifPresent(v -> byVersion.put(v, new ArrayList<>()));
        for (PodEntry e : pods.values()) {
            if (e.pod.key().equals(appKey)) {
                byVersion.computeIfAbsent(e.pod.version(), v -> new ArrayList<>()).add(e.view(now, settings));
                if (e.serving) {
                    servingByVersion.merge(e.pod.version(), 1, Integer::sum);
                }
            }
        }
        List<VersionHealth> versions = new ArrayList<>();
        byVersion.forEach((version, list) -> {
            list.sort(Comparator.comparing(PodHealth::podName));
            versions.add(new VersionHealth(version, servingByVersion.getOrDefault(version, 0), list));
        });
        AppEntry app = apps.get(appKey);
        Keys.AppRef ref = Keys.parseApp(appKey);
        return new AppHealthReport(reporter, now, ref.namespace(), ref.appName(), servingVersion.orElse(null), versions,
                app == null ? List.of() : app.servingAlerts,
                app == null ? List.of() : List.copyOf(app.restartAlerts),
                app == null ? emptyRestarts().counts(now) : app.restarts.counts(now));
    }

    public synchronized List<NodeView> nodes() {
        return List.copyOf(nodes.values());
    }

    public synchronized List<DataStoreView> dataStores() {
        return List.copyOf(dataStores.values());
    }

    private TimeBuckets emptyRestarts() {
        return new TimeBuckets(settings.restartWindow(), settings.restartBucket());
    }

    private AppEntry app(String appKey) {
        return apps.computeIfAbsent(appKey, k -> new AppEntry(emptyRestarts()));
    }

    private PodEntry entry(PodRef pod) {
        return pods.computeIfAbsent(key(pod), k -> new PodEntry(pod,
                new TimeBuckets(settings.latencyWindow(), settings.latencyBucket())));
    }

    private void changed(String appKey) {
        app(appKey).revision++;
        revision.incrementAndGet();
    }

    private static String key(PodRef pod) {
        return Keys.pod(pod.namespace(), pod.podName());
    }

    /** An app's own history: restarts over time, recent restart alerts, serving alerts raised now. */
    private static final class AppEntry {
        final TimeBuckets restarts;
        final Deque<RaisedRestartAlert> restartAlerts = new ArrayDeque<>();
        List<ServingAlert> servingAlerts = List.of();
        long revision;

        AppEntry(TimeBuckets restarts) {
            this.restarts = restarts;
        }
    }

    private static final class PodEntry {
        final PodRef pod;
        final TimeBuckets latency;
        final Deque<Instant> restartMarks = new ArrayDeque<>();
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

        PodEntry(PodRef pod, TimeBuckets latency) {
            this.pod = pod;
            this.latency = latency;
        }

        PodHealth view(Instant now, DashboardSettings settings) {
            Instant oldest = now.minus(settings.latencyWindow());
            while (!restartMarks.isEmpty() && restartMarks.peekFirst().isBefore(oldest)) {
                restartMarks.removeFirst();
            }
            return new PodHealth(pod.podName(), pod.deploymentId(), node, address, probeUrl, health, serving, phase,
                    restarts, lastTerminationReason, lastProbe, probeUrl == null ? null : latency.latency(now),
                    List.copyOf(restartMarks));
        }
    }
}
