package io.bgdeploy.lbagent.sync;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.Wrk;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.bgdeploy.lbagent.testing.LoadGenerator;
import io.bgdeploy.lbagent.testing.LoadGeneratorAccess;
import io.bgdeploy.lbagent.testing.VersionServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the HAProxy worker (its pid read from the master's {@code show proc}) and of the master,
 * under wrk load with keep-alive and with {@code Connection: close}: the agent that runs HAProxy
 * starts it again from its files the moment the master exits, not at its next look a second later.
 * HAProxy 2.6 takes the master along when its worker dies, and the worker along when its master
 * dies, so both kills end the same way: no process holds the listening socket until the new one.
 */
class HaproxyProcessDeathTest {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final String HOST = "shop.example.com";
    private static final String AGENT = "agent-death-test";
    /**
     * How soon after the kill the new master must have been started. Before, the agent looked once a
     * second, so half the kills waited longer than this, and three kills in a row all within it 1 time in 8.
     */
    private static final Duration NEW_MASTER_WITHIN = Duration.ofMillis(500);

    private static SocketDirectory sockets;
    private static EtcdServer etcd;
    private static EtcdAgentStore store;
    private static LbConfigWriter writer;
    private static HaproxyAgent agent;
    private static MasterCli master;
    private static VersionServer server;
    private static int publicPort;
    private static Path dir;

    @BeforeAll
    static void start() {
        etcd = EtcdServer.start(SharedInfra.workDir("etcd-haproxy-death"));
        store = new EtcdAgentStore(EtcdAccess.connect(List.of(etcd.endpoint()), Duration.ofSeconds(3)));
        writer = new LbConfigWriter(etcd.endpoint());
        dir = SharedInfra.workDir("haproxy-death");
        sockets = SocketDirectory.create("death-test");
        publicPort = FreePorts.next();
        AgentSettings settings = AgentsUnderTest.startingHaproxy(AGENT, dir.resolve("haproxy.cfg"), sockets.socket("master.sock"),
                HaproxySettings.localDefaults().withPorts(publicPort, FreePorts.next()));
        agent = new HaproxyAgent(store, new HaproxyConfigRenderer(), settings, (id, revision, reason) -> { });
        agent.start();
        master = new MasterCli(settings.masterSocket());
        server = VersionServer.start("v1");
        writer.awaitApplied(AGENT, writer.upsertBackend(SHOP, new BackendSpec("default-shop-1",
                List.of(new ServerSpec("shop-1-a", "127.0.0.1", server.port())), false, List.of(), "/health")), Duration.ofSeconds(30));
        writer.awaitApplied(AGENT, writer.switchFrontend(FrontendSpec.http(HOST), "default-shop-1"), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        agent.close();
        store.close();
        writer.close();
        server.close();
        etcd.close();
        sockets.close();
    }

    @Test
    void aKilledWorkerOrMasterIsReplacedAtOnceAndServesTheRoutingOfEtcd() {
        Wrk keepAlive = Wrk.start(publicPort, HOST, 1, 2, true, dir.resolve("wrk-keep-alive.txt"));
        Wrk closing = Wrk.start(publicPort, HOST, 1, 2, false, dir.resolve("wrk-close.txt"));
        Wrk.Result keepAliveResult;
        Wrk.Result closingResult;
        try {
            long answeredBefore = answeredRequests();
            await().atMost(Duration.ofSeconds(30)).until(() -> answeredRequests() >= answeredBefore + 100);
            for (String victim : List.of("worker", "worker", "master")) {
                ProcStatus before = master.showProc();
                long pid = victim.equals("worker") ? before.workers().get(0) : before.masterPid();
                long killedTicks = SinceBoot.nowTicks();

                ProcessHandle.of(pid).orElseThrow().destroyForcibly();

                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    ProcStatus now = master.showProc();
                    return now.masterPid() != before.masterPid() && !now.workers().isEmpty()
                            && LoadGeneratorAccess.get(publicPort, HOST).equals(server.name());
                });
                long answeringTicks = SinceBoot.nowTicks();
                long newMaster = master.showProc().masterPid();
                Duration startedAfter = SinceBoot.between(killedTicks, SinceBoot.startTicks(newMaster));
                System.out.printf("kill -9 of the %s (pid %d): new master %d started %d ms later, answering %d ms after the kill%n",
                        victim, pid, newMaster, startedAfter.toMillis(), SinceBoot.between(killedTicks, answeringTicks).toMillis());
                assertThat(startedAfter).as("the new master after a kill -9 of the %s", victim).isLessThan(NEW_MASTER_WITHIN);
            }
        } finally {
            keepAliveResult = keepAlive.stop();
            closingResult = closing.stop();
        }
        System.out.println("keep-alive load across the kills: " + keepAliveResult);
        System.out.println("Connection: close load across the kills: " + closingResult);
        assertThat(keepAliveResult.requests()).as("keep-alive requests answered").isPositive();
        assertThat(closingResult.requests()).as("Connection: close requests answered").isPositive();

        try (LoadGenerator after = LoadGenerator.keepAlive(publicPort, HOST, 2, 200, 20_000)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> after.count() >= 200);
            after.close();
            assertThat(after.failures()).as("failed requests once HAProxy is back").isEmpty();
            assertThat(after.results()).allSatisfy(r -> assertThat(r.body()).isEqualTo(server.name()));
        }
    }

    /** Requests HAProxy's current worker answered since it started ({@code CumReq} of {@code show info}). */
    private static long answeredRequests() {
        return Long.parseLong(master.runtime("show info").replaceAll("(?s).*\\bCumReq: (\\d+).*", "$1"));
    }

    /**
     * Times on the kernel's clock since boot, in clock ticks (1/100 s), the clock a process's start
     * time is kept in ({@code /proc/<pid>/stat}); the JDK's start instant adds a boot time that can be
     * off by a second in a virtual machine.
     */
    private static final class SinceBoot {
        private static final long TICKS_PER_SECOND = 100;

        static long nowTicks() {
            String uptime = read(Path.of("/proc/uptime")).split(" ")[0];
            return Math.round(Double.parseDouble(uptime) * TICKS_PER_SECOND);
        }

        static long startTicks(long pid) {
            String stat = read(Path.of("/proc", String.valueOf(pid), "stat"));
            // fields after the command name, which is in parentheses and may hold spaces; starttime is field 22
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]);
        }

        static Duration between(long fromTicks, long toTicks) {
            return Duration.ofMillis((toTicks - fromTicks) * 1000 / TICKS_PER_SECOND);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
