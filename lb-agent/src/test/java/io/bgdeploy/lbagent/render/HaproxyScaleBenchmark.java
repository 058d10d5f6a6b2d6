package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import io.bgdeploy.lbagent.haproxy.HaproxyLauncher;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time. Run with
 * {@code mvn -B -pl lb-agent test -Dtest=HaproxyScaleBenchmark}.
 */
class HaproxyScaleBenchmark {

    @Test
    void renderValidateReloadAndRuntimeApiAtScale() throws Exception {
        for (int n : new int[] {10, 1000, 5000}) {
            scale(n);
        }
    }

    private static void scale(int n) throws Exception {
        List<FrontendConfig> frontends = new ArrayList<>();
        List<BackendSpec> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "default-app" + i + "-1";
            backends.add(new BackendSpec(id, List.of(new ServerSpec("s1", "10.0." + (i / 250) + "." + (i % 250 + 1), 8080),
                    new ServerSpec("s2", "10.1." + (i / 250) + "." + (i % 250 + 1), 8080)), i % 2 == 0,
                    List.of(new HttpHeader("X-App", "app" + i)), "/health"));
            frontends.add(new FrontendConfig(new FrontendSpec("app" + i + ".example.com", true, false, List.of(),
                    i % 3 == 0, io.bgdeploy.events.lb.TlsMode.HTTP_ONLY, null), id));
        }
        LbModel model = new LbModel(frontends, backends);
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
        HaproxySettings settings = HaproxySettings.localDefaults().withPorts(FreePorts.next(), FreePorts.next());
        renderer.render(model, settings);
        long t0 = System.nanoTime();
        int rounds = 5;
        String cfg = null;
        for (int i = 0; i < rounds; i++) {
            cfg = renderer.render(model, settings);
        }
        double renderMs = (System.nanoTime() - t0) / 1e6 / rounds;
        Path dir = SharedInfra.workDir("bench-" + n);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        ConfigValidator validator = new ConfigValidator(Path.of("/usr/sbin/haproxy"));
        long t1 = System.nanoTime();
        String problems = validator.problems(file);
        double validateMs = (System.nanoTime() - t1) / 1e6;
        if (problems != null) {
            throw new IllegalStateException(problems);
        }
        try (SocketDirectory sockets = SocketDirectory.create("bench");
             HaproxyLauncher haproxy = HaproxyLauncher.start(Path.of("/usr/sbin/haproxy"), file, sockets.socket("master.sock"),
                Duration.ofSeconds(60))) {
            MasterCli cli = new MasterCli(sockets.socket("master.sock"));
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
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> cli.showProc().workers().size() == 1);
            long[] runtime = new long[20];
            for (int i = 0; i < runtime.length; i++) {
                long t3 = System.nanoTime();
                String answer = cli.runtime("set server be_default-app" + (i % n) + "-1/s1 addr 10.9.0." + (i + 1) + " port 8081");
                runtime[i] = System.nanoTime() - t3;
                if (!answer.contains("changed")) {
                    throw new IllegalStateException("set server: " + answer);
                }
            }
            Arrays.sort(runtime);
            System.out.printf("%nSCALE %d frontends + %d backends (%d servers), config %d KiB%n", n, n, 2 * n,
                    cfg.length() / 1024);
            System.out.printf("  render %.1f ms, haproxy -c %.0f ms, reload until a new worker is confirmed: median %.0f ms%n",
                    renderMs, validateMs, reloads[reloads.length / 2] / 1e6);
            System.out.printf("  server move through the Runtime API (set server addr): median %.2f ms%n",
                    runtime[runtime.length / 2] / 1e6);
        }
    }
}
