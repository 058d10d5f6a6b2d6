package io.bgdeploy.lbagent.render;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.model.ProxyLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real HAProxy 2.6, started in master-worker mode as the agent starts it, under a low open-files
 * limit ({@code prlimit}): a configuration whose {@code maxconn} and health checks need more
 * descriptors than the limit is refused by HAProxy as it was rendered before, and serves as it is
 * rendered now.
 */
class HaproxyOpenFilesLimitTest {

    private static final Pattern CANNOT_RAISE = Pattern.compile("Cannot raise FD limit to (\\d+), limit is (\\d+)");
    private static final int LIMIT = 600;
    private static final int CHECKED = 40;

    private final FileDescriptorBudget budget = new FileDescriptorBudget(LIMIT, ProcLimits.allowedCpus(status()));

    @Test
    void haproxyAsksForTheDescriptorsTheBudgetCounts(@TempDir Path dir) throws Exception {
        HaproxySettings settings = settings(dir);
        Path file = write(dir, new HaproxyConfigRenderer(), settings);

        try (SocketDirectory sockets = SocketDirectory.create("fdlimit")) {
            Process haproxy = start(file, sockets.socket("master.sock"));
            try {
                assertThat(haproxy.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                Matcher m = CANNOT_RAISE.matcher(Files.readString(dir.resolve("haproxy.out")));
                assertThat(m.find()).as("haproxy refuses the limit").isTrue();
                assertThat(Long.parseLong(m.group(1))).isEqualTo(budget.need(settings.maxConnections(), 3, CHECKED));
                assertThat(haproxy.exitValue()).isNotZero();
            } finally {
                stop(haproxy);
            }
        }
    }

    @Test
    void theLoweredMaxconnLetsHaproxyStartUnderTheLimit(@TempDir Path dir) throws Exception {
        HaproxySettings settings = settings(dir);
        List<FileDescriptorBudget.ConnectionLimit> told = new java.util.ArrayList<>();
        Path file = write(dir, new HaproxyConfigRenderer(budget, told::add), settings);

        try (SocketDirectory sockets = SocketDirectory.create("fdlimit")) {
            Path socket = sockets.socket("master.sock");
            Process haproxy = start(file, socket);
            try {
                MasterCli cli = new MasterCli(socket);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> !haproxy.isAlive() || !cli.showProc().workers().isEmpty());
                assertThat(haproxy.isAlive()).as(Files.readString(dir.resolve("haproxy.out"))).isTrue();
                assertThat(told).singleElement().satisfies(l -> assertThat(l.lowered()).isTrue());
                assertThat(cli.runtime("show info")).contains("Maxconn: " + told.get(0).effective());
            } finally {
                stop(haproxy);
            }
        }
    }

    /** Maxconn 4000 (8,000 descriptors) against a limit of 600; a Runtime API socket for a third listener. */
    private static HaproxySettings settings(Path dir) {
        return new HaproxySettings("127.0.0.1", FreePorts.next(), FreePorts.next(), "127.0.0.1", FreePorts.next(),
                dir.resolve("runtime.sock").toString(), 5, 4000, "sticky-secret-1");
    }

    private static Path write(Path dir, HaproxyConfigRenderer renderer, HaproxySettings settings) throws Exception {
        ProxyLayout layout = FileDescriptorBudgetTest.layout(CHECKED, 5);
        Path map = dir.resolve("hosts.map");
        Files.writeString(map, renderer.renderMap(layout));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, renderer.render(layout, settings, map.toString()));
        return file;
    }

    /** HAProxy as the agent starts it, with the open-files limit set for it alone. */
    private static Process start(Path file, Path masterSocket) throws Exception {
        return new ProcessBuilder("prlimit", "--nofile=" + LIMIT + ":" + LIMIT, RenderedConfigIsValidTest.HAPROXY.toString(),
                "-W", "-S", masterSocket + ",level,admin", "-f", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(file.resolveSibling("haproxy.out").toFile())
                .start();
    }

    private static void stop(Process haproxy) throws InterruptedException {
        List<ProcessHandle> workers = haproxy.descendants().toList();
        haproxy.destroy();
        if (!haproxy.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            haproxy.destroyForcibly();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    private static String status() {
        try {
            return Files.readString(Path.of("/proc/self/status"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
