package io.bgdeploy.lbagent.sync;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.SnapshotDecoder;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.model.HealthCheckInterval;
import io.bgdeploy.lbagent.model.RuntimePlan;
import io.bgdeploy.lbagent.model.RuntimeState;
import io.bgdeploy.lbagent.model.SlotAssignment;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.bgdeploy.lbagent.testing.VersionServer;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time. Run with
 * {@code mvn -B -pl lb-agent -am test -Dtest=AgentScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dapps=10,5000 -Dswitches=50 -DnewHosts=3}).
 *
 * <p>The agent on a real etcd and HAProxy, with {@code apps} apps (a backend of two servers, a
 * host and a health check each) written straight into etcd, and one app that is deployed: its host
 * switched back and forth between two versions, then new hosts added (each a reload). Latency is
 * from the write's commit to the agent's progress with that revision arriving at a watch on etcd,
 * with the mean of the agent's own steps. The smallest size is the baseline of the same run. Beside
 * it, in-process, what the agent did for every change before it kept its state: the whole snapshot
 * decoded, the whole layout planned and compared, the hosts map rendered.
 */
class AgentScaleBenchmark {

    private static final String AGENT = "agent-scale";
    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final HostName HOST = HostName.of("shop.example.com");

    @Test
    void switchAndStructuralReloadAtScale() throws Exception {
        int switches = Integer.getInteger("switches", 50);
        int newHosts = Integer.getInteger("newHosts", 3);
        for (int n : Arrays.stream(System.getProperty("apps", "10,5000").split(",")).mapToInt(Integer::parseInt).toArray()) {
            run(n, switches, newHosts);
        }
    }

    private static void run(int apps, int switches, int newHosts) throws Exception {
        Map<String, List<Long>> steps = new ConcurrentHashMap<>();
        ConcurrentSkipListMap<Long, Long> appliedAt = new ConcurrentSkipListMap<>();
        try (EtcdServer etcd = EtcdServer.start(SharedInfra.workDir("etcd-scale-" + apps));
             LbConfigWriter writer = new LbConfigWriter(etcd.endpoint());
             SocketDirectory sockets = SocketDirectory.create("scale");
             VersionServer blue = VersionServer.start("blue");
             VersionServer green = VersionServer.start("green")) {
            long loadStart = System.nanoTime();
            writeApps(writer.etcd(), apps);
            writer.upsertBackend(SHOP, new BackendSpec("default-shop-1", List.of(new ServerSpec("blue-a", "127.0.0.1", blue.port())),
                    false, List.of(), "/health"));
            writer.upsertBackend(SHOP, new BackendSpec("default-shop-2",
                    List.of(new ServerSpec("green-a", "127.0.0.1", green.port())), false, List.of(), "/health"));
            long start = writer.switchFrontend(FrontendSpec.http(HOST), "default-shop-1");
            double writeMs = (System.nanoTime() - loadStart) / 1e6;

            Watch.Watcher watch = writer.etcd().client().getWatchClient().watch(bytes(EtcdLayout.applied(AGENT)),
                    Watch.listener(r -> r.getEvents().forEach(e -> {
                        AgentProgress p = StoredJson.read(e.getKeyValue().getValue().getBytes(), AgentProgress.class);
                        appliedAt.putIfAbsent(p.revision(), System.nanoTime());
                    })));
            Path dir = SharedInfra.workDir("agent-scale-" + apps);
            HaproxySettings haproxy = HaproxySettings.localDefaults().withPorts(FreePorts.next(), FreePorts.next());
            AgentSettings settings = new AgentSettings(AGENT, Path.of("/usr/sbin/haproxy"), dir.resolve("haproxy.cfg"),
                    sockets.socket("master.sock"), true, haproxy, Duration.ofSeconds(10), Duration.ofSeconds(15),
                    new ReloadTimeout(Duration.ofSeconds(10), Duration.ofSeconds(5)), Duration.ofSeconds(2));
            EtcdAgentStore store = new EtcdAgentStore(EtcdAccess.connect(List.of(etcd.endpoint()), Duration.ofSeconds(10)));
            long agentStart = System.nanoTime();
            try (HaproxyAgent agent = new HaproxyAgent(store, new HaproxyConfigRenderer(), settings, (id, revision, reason) -> { },
                    (step, nanos) -> steps.computeIfAbsent(step, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(nanos))) {
                agent.start();
                writer.awaitApplied(AGENT, start, Duration.ofSeconds(300));
                double startMs = (System.nanoTime() - agentStart) / 1e6;
                MasterCli master = new MasterCli(settings.masterSocket());
                System.out.printf("%nAGENT SCALE %,d apps (+1 deployed): written to etcd in %,.0f ms; agent start (HAProxy started, "
                        + "everything applied) %,.0f ms; load average %s%n", apps, writeMs, startMs, loadAverage());

                steps.clear();
                int reloads = master.showProc().reloads();
                long[] latency = new long[switches];
                for (int i = 0; i < switches; i++) {
                    long t0 = System.nanoTime();
                    long revision = writer.switchFrontend(FrontendSpec.http(HOST), i % 2 == 0 ? "default-shop-2" : "default-shop-1");
                    await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                            .until(() -> appliedAt.ceilingKey(revision) != null);
                    latency[i] = appliedAt.ceilingEntry(revision).getValue() - t0;
                }
                Arrays.sort(latency);
                System.out.printf("  switch (%d), write -> progress seen: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms;"
                                + " HAProxy reloads %d%n", switches, pct(latency, 50), pct(latency, 90), pct(latency, 99),
                        latency[latency.length - 1] / 1e6, master.showProc().reloads() - reloads);
                System.out.println("    agent mean per step: " + means(steps));

                steps.clear();
                long[] structural = new long[newHosts];
                for (int i = 0; i < newHosts; i++) {
                    long t0 = System.nanoTime();
                    long revision = writer.switchFrontend(FrontendSpec.http("new" + i + ".example.com"), "default-shop-1");
                    await().atMost(Duration.ofSeconds(300)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                            .until(() -> appliedAt.ceilingKey(revision) != null);
                    structural[i] = appliedAt.ceilingEntry(revision).getValue() - t0;
                }
                Arrays.sort(structural);
                System.out.printf("  new host (%d), a structural reload, write -> progress seen: p50 %,.0f ms, max %,.0f ms%n",
                        newHosts, pct(structural, 50), structural[structural.length - 1] / 1e6);
                System.out.println("    agent mean per step: " + means(steps));
                System.out.printf("  load average %s%n", loadAverage());
            } finally {
                watch.close();
                store.close();
            }
            wholePathBaseline(writer.etcd(), apps);
        }
    }

    /**
     * What a switch cost the agent's own code before it kept its state, in-process: the whole
     * snapshot decoded, the whole layout planned and compared with the live one, the plan of
     * commands made over every section and host, and the hosts map rendered.
     */
    private static void wholePathBaseline(EtcdAccess etcd, int apps) {
        EtcdAccess.RawRead read = etcd.readConfig();
        SnapshotDecoder decoder = new SnapshotDecoder();
        Snapshot snapshot = decoder.read(read.revision(), read.entries());
        ProxyLayout live = LayoutPlanner.plan(snapshot.model(), List.of(), true);
        RuntimeState runtime = RuntimeState.of(live);
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
        TreeMap<String, byte[]> entries = new TreeMap<>(read.entries());
        String key = EtcdLayout.proxyFrontend(HOST);
        long[] whole = new long[20];
        long[] incremental = new long[20];
        long[] mapText = new long[20];
        for (int i = 0; i < whole.length; i++) {
            entries.put(key, json(new ReferenceFrontend(HOST.value(), "http", i % 2 == 0 ? "default-shop-2" : "default-shop-1",
                    false)).getBytes());
            long t0 = System.nanoTime();
            Snapshot s = decoder.read(read.revision() + i, entries);
            ProxyLayout desired = LayoutPlanner.plan(s.model(), SlotAssignment.of(live), false);
            boolean same = desired.sameStructureAs(live);
            RuntimePlan plan = RuntimePlan.between(runtime, desired, "/tmp/hosts.map", HealthCheckInterval.DEFAULT_MILLIS);
            whole[i] = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            Snapshot changed = decoder.update(read.revision() + i, entries, Set.of(key));
            var update = LayoutPlanner.update(live, changed.model(), decoder.lastChange().hosts(), decoder.lastChange().backendIds());
            RuntimePlan scoped = RuntimePlan.between(runtime, update.layout(), "/tmp/hosts.map", update.slots(), update.hosts(),
                    HealthCheckInterval.DEFAULT_MILLIS);
            incremental[i] = System.nanoTime() - t1;
            String map = renderer.renderMap(desired);
            long t2 = System.nanoTime();
            String map2 = renderer.renderMap(update.layout());
            mapText[i] = System.nanoTime() - t2;
            if (!same || update.structural() || plan.routeCommands().size() != scoped.routeCommands().size() || !map.equals(map2)) {
                throw new IllegalStateException("the two paths disagree about a switch");
            }
        }
        Arrays.sort(whole);
        Arrays.sort(incremental);
        Arrays.sort(mapText);
        System.out.printf("  in-process, per switch (20): baseline, everything again (decode, plan, compare, commands) p50 %.2f ms,"
                        + " max %.2f ms; only what changed p50 %.2f ms, max %.2f ms; hosts map text (written beside the"
                        + " commands) p50 %.2f ms%n", pct(whole, 50), whole[whole.length - 1] / 1e6, pct(incremental, 50),
                incremental[incremental.length - 1] / 1e6, pct(mapText, 50));
    }

    /** Writes {@code apps} apps (a backend with two servers, its options and a host each) in transactions of 100 entries. */
    private static void writeApps(EtcdAccess etcd, int apps) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < apps; i++) {
            String id = "default-app" + i + "-1";
            String host = "app" + i + ".example.com";
            for (int s = 1; s <= 2; s++) {
                ops.add(Op.put(bytes(EtcdLayout.proxyServer(id, "s" + s)), json(new ReferenceServer(
                        "10." + s + "." + (i / 250) + "." + (i % 250 + 1), 8080, false, null)), PutOption.DEFAULT));
            }
            // no health check: 10,000 checks of addresses nobody answers would keep HAProxy's worker busy, and
            // measure that instead of the agent (HaproxyScaleBenchmark has them)
            ops.add(Op.put(bytes(EtcdLayout.configBackend(id)), json(new BackendOptions(false, List.of(), null,
                    "default/app" + i)), PutOption.DEFAULT));
            ops.add(Op.put(bytes(EtcdLayout.proxyFrontend(HostName.of(host))), json(new ReferenceFrontend(host, "http", id, false)),
                    PutOption.DEFAULT));
            if (ops.size() >= 100 || i == apps - 1) {
                etcd.await(etcd.client().getKVClient().txn().Then(ops.toArray(Op[]::new)).commit());
                ops.clear();
            }
        }
    }

    private static String means(Map<String, List<Long>> steps) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(steps).forEach((step, list) -> {
            synchronized (list) {
                out.append(String.format("%s %.1f ms (%d), ", step, list.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
                        list.size()));
            }
        });
        return out.toString();
    }

    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " / " + fields[1] + " / " + fields[2] + " (1, 5, 15 min)";
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }
}
