package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import io.bgdeploy.lbagent.haproxy.HaproxyLauncher;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import io.bgdeploy.lbagent.haproxy.RuntimeApi;
import io.bgdeploy.lbagent.haproxy.WorkerCli;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.model.RuntimeCommand;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time. Run with
 * {@code mvn -B -pl lb-agent -am test -Dtest=HaproxyScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>For 10, 1,000 and 5,000 apps (each with its serving version, two servers, and a free slot for
 * its next one): the structural path (plan, render, {@code haproxy -c}, reload until the master
 * confirms a new worker) beside the Runtime API path of a switch ({@code set map} and the read back
 * with {@code get map}, in one round trip on the worker's own socket as the agent sends them, and as
 * baselines in one round trip relayed by the master, and on a connection each) and of a new
 * version's server ({@code add server}, {@code enable health}, {@code enable server}).
 */
class HaproxyScaleBenchmark {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @Test
    void structuralReloadBesideTheRuntimeApiAtScale() throws Exception {
        for (int n : Arrays.stream(System.getProperty("apps", "10,1000,5000").split(",")).mapToInt(Integer::parseInt).toArray()) {
            scale(n);
        }
    }

    private static LbModel model(int apps) {
        List<FrontendConfig> frontends = new ArrayList<>();
        List<BackendConfig> backends = new ArrayList<>();
        for (int i = 0; i < apps; i++) {
            String id = "default-app" + i + "-1";
            backends.add(new BackendConfig(new BackendSpec(id, List.of(
                    new ServerSpec("s1", "10.0." + (i / 250) + "." + (i % 250 + 1), 8080),
                    new ServerSpec("s2", "10.1." + (i / 250) + "." + (i % 250 + 1), 8080)), i % 2 == 0,
                    List.of(new HttpHeader("X-App", "app" + i)), "/health"), new AppRef("default", "app" + i)));
            frontends.add(new FrontendConfig(new FrontendSpec(HostName.of("app" + i + ".example.com"), true, false, List.of(),
                    i % 3 == 0, io.bgdeploy.events.lb.TlsMode.HTTP_ONLY, null), id));
        }
        return new LbModel(frontends, backends);
    }

    private static void scale(int n) throws Exception {
        LbModel model = model(n);
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
        SocketDirectory sockets = SocketDirectory.create("bench");
        HaproxySettings settings = HaproxySettings.localDefaults().withPorts(FreePorts.next(), FreePorts.next())
                .withRuntimeSocket(sockets.socket("master-worker.sock").toString());
        Path dir = SharedInfra.workDir("bench-" + n);
        Path map = dir.resolve("hosts.map");
        ProxyLayout layout = LayoutPlanner.plan(model, List.of(), true);
        renderer.render(layout, settings, map.toString());
        int rounds = 5;
        long t0 = System.nanoTime();
        String cfg = null;
        for (int i = 0; i < rounds; i++) {
            layout = LayoutPlanner.plan(model, List.of(), true);
            cfg = renderer.render(layout, settings, map.toString());
        }
        double renderMs = (System.nanoTime() - t0) / 1e6 / rounds;
        Files.writeString(map, renderer.renderMap(layout));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        long t1 = System.nanoTime();
        String problems = new ConfigValidator(HAPROXY).problems(file);
        double validateMs = (System.nanoTime() - t1) / 1e6;
        if (problems != null) {
            throw new IllegalStateException(problems);
        }
        try (sockets;
             HaproxyLauncher haproxy = HaproxyLauncher.start(HAPROXY, file, sockets.socket("master.sock"), Duration.ofSeconds(60))) {
            MasterCli cli = new MasterCli(sockets.socket("master.sock"));
            RuntimeApi api = new RuntimeApi(cli);
            WorkerCli worker = new WorkerCli(sockets.socket("master-worker.sock"), new MasterCli(sockets.socket("nobody-listens.sock")));
            long[] reloads = new long[5];
            for (int i = 0; i < reloads.length; i++) {
                ProcStatus before = cli.showProc();
                long t2 = System.nanoTime();
                cli.send("reload");
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> cli.showProc().confirmsReloadAfter(before));
                reloads[i] = System.nanoTime() - t2;
            }
            Arrays.sort(reloads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> cli.showProc().workers().size() == 1);
            // no master to fall back to: every switch below is answered by the worker itself
            worker.currentWorker(cli.showProc());
            RuntimeApi direct = new RuntimeApi(worker);
            long[] oneByOne = new long[200];
            long[] oneRoundTrip = new long[200];
            long[] onWorker = new long[200];
            for (int i = 0; i < oneByOne.length; i++) {
                int app = i % n;
                HostName host = HostName.of("app" + app + ".example.com");
                String target = "be_default.app" + app + "." + (i % 2 == 0 ? 2 : 1);
                RuntimeCommand.MapEntry entry = new RuntimeCommand.MapEntry(false, map.toString(), host, target);
                // baseline: the command and its read back, each on a connection of its own
                long t3 = System.nanoTime();
                api.execute(entry);
                String now = cli.runtime("get map " + map + " " + host);
                oneByOne[i] = System.nanoTime() - t3;
                if (!now.contains("value=\"" + target + "\"")) {
                    throw new IllegalStateException(host + " does not map to " + target + ": " + now);
                }
                String back = "be_default.app" + app + "." + (i % 2 == 0 ? 1 : 2);
                long t4 = System.nanoTime();
                RuntimeApi.ReadBack read = api.applyAndRead(List.of(new RuntimeCommand.MapEntry(false, map.toString(), host, back)),
                        map.toString(), Set.of(host), Set.of());
                oneRoundTrip[i] = System.nanoTime() - t4;
                if (!back.equals(read.hosts().get(host))) {
                    throw new IllegalStateException(host + " maps to " + read.hosts().get(host) + " instead of " + back);
                }
                long t5 = System.nanoTime();
                read = direct.applyAndRead(List.of(new RuntimeCommand.MapEntry(false, map.toString(), host, target)),
                        map.toString(), Set.of(host), Set.of());
                onWorker[i] = System.nanoTime() - t5;
                if (!target.equals(read.hosts().get(host))) {
                    throw new IllegalStateException(host + " maps to " + read.hosts().get(host) + " instead of " + target);
                }
                direct.execute(new RuntimeCommand.MapEntry(false, map.toString(), host, back));
            }
            Arrays.sort(oneByOne);
            Arrays.sort(oneRoundTrip);
            Arrays.sort(onWorker);
            long[] adds = new long[50];
            for (int i = 0; i < adds.length; i++) {
                String slot = "be_default.app" + (i % n) + ".2";
                String server = "new" + i;
                long t4 = System.nanoTime();
                api.execute(new RuntimeCommand.AddServer(slot, server, "10.9.0." + (i + 1), 8080, true));
                api.execute(RuntimeCommand.enableHealth(slot, server));
                api.execute(RuntimeCommand.enableServer(slot, server));
                adds[i] = System.nanoTime() - t4;
            }
            Arrays.sort(adds);
            System.out.printf("%nSCALE %d apps: %d hosts, %d sections (%d servers), config %d KiB, map %d KiB%n", n, n,
                    layout.slots().size(), 2 * n, cfg.length() / 1024, Files.size(map) / 1024);
            System.out.printf("  structural: plan + render %.1f ms, haproxy -c %.0f ms, reload until a new worker is confirmed: median %.0f ms%n",
                    renderMs, validateMs, reloads[reloads.length / 2] / 1e6);
            System.out.printf("  Runtime API switch (set map + get map), 200 switches: one round trip on the worker's socket (with"
                            + " its show info) p50 %.2f ms, p99 %.2f ms, max %.2f ms; baselines, one round trip relayed by the master:"
                            + " p50 %.2f ms, p99 %.2f ms, max %.2f ms; a connection per command: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    pct(onWorker, 50) / 1e6, pct(onWorker, 99) / 1e6, onWorker[onWorker.length - 1] / 1e6,
                    pct(oneRoundTrip, 50) / 1e6, pct(oneRoundTrip, 99) / 1e6, oneRoundTrip[oneRoundTrip.length - 1] / 1e6,
                    pct(oneByOne, 50) / 1e6, pct(oneByOne, 99) / 1e6, oneByOne[oneByOne.length - 1] / 1e6);
            System.out.printf("  Runtime API new server (add server, enable health, enable server), 50 servers: p50 %.2f ms, p99 %.2f ms%n",
                    pct(adds, 50) / 1e6, pct(adds, 99) / 1e6);
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
