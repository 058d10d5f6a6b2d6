package io.bgdeploy.lbagent;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.ManagedProcess;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.haproxy.ProcStatus;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.bgdeploy.lbagent.testing.LoadGenerator;
import io.bgdeploy.lbagent.testing.LoadGeneratorAccess;
import io.bgdeploy.lbagent.testing.VersionServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged agent as its own process, started from a working directory of at least 150 characters (its
 * haproxy.cfg is given as a relative path there), killed with SIGKILL while HAProxy keeps running.
 * While it is dead, etcd moves on (the switch to green, blue removed) and HAProxy's runtime state
 * is changed behind its back (green's server deleted), so that it differs from the file. The
 * restarted agent adopts HAProxy, reads what it has, and converges it to etcd without a reload (and
 * the hosts map on disk, which lags the runtime as after a death between a command and the write):
 * from then on no request reaches the removed version. The agent runs without a reachable Kafka
 * throughout; then etcd is killed too, and HAProxy goes on serving while the agent stays ready and
 * reports how long ago it last heard from etcd.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentRestartIT {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final String HOST = "shop.example.com";
    private static final String AGENT = "agent-restart-it";

    private static LbConfigWriter writer;
    private static VersionServer blue;
    private static VersionServer green;
    private static SocketDirectory sockets;
    private static ManagedProcess agent;
    private static Path workDir;
    private static int publicPort;
    private static int httpPort;

    @BeforeAll
    static void start() {
        writer = new LbConfigWriter(SharedInfra.etcd().endpoint());
        blue = VersionServer.start("blue");
        green = VersionServer.start("green");
        sockets = SocketDirectory.create("agent-it");
        workDir = SharedInfra.workDirOfAtLeast("agent-it", 150);
        publicPort = FreePorts.next();
        httpPort = FreePorts.next();
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        agent = ManagedProcess.start("lb-agent", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + httpPort,
                "-Dbgdeploy.etcd.endpoints=" + SharedInfra.etcd().endpoint(),
                "-Dkafka.bootstrap.servers=127.0.0.1:" + FreePorts.next(),
                "-Dlbagent.id=" + AGENT,
                "-Dlbagent.reconcile-interval=2s",
                "-Dlbagent.haproxy.start=true",
                "-Dlbagent.haproxy.config-file=haproxy.cfg",
                "-Dlbagent.haproxy.master-socket=" + sockets.socket("master.sock"),
                "-Dlbagent.haproxy.public-port=" + publicPort,
                "-Dlbagent.haproxy.stats-port=" + FreePorts.next(),
                "-jar", jar.toString()), Map.of(), workDir, workDir.resolve("agent.log"));
    }

    @AfterAll
    static void stop() {
        agent.close();
        sockets.close();
        blue.close();
        green.close();
        writer.close();
    }

    private static void apply(long revision) {
        AgentProgress progress = writer.awaitApplied(AGENT, revision, Duration.ofSeconds(90));
        assertThat(progress.failure()).isNull();
    }

    private static java.net.http.HttpResponse<String> http(String path) throws Exception {
        return HttpClients.http11(Duration.ofSeconds(5)).send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + httpPort + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(2)
    void withEtcdAndKafkaDownHaproxyServesAndTheAgentStaysReadyAndReportsHowStaleItIs() throws Exception {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http("/q/health/ready").statusCode() == 200);
        SharedInfra.etcd().kill();
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    EventCodec.mapper().readTree(http("/status").body()).path("etcdSecondsSinceHeard").asDouble() > 10);
            assertThat(http("/q/health/ready").statusCode()).as("readiness with etcd and Kafka down").isEqualTo(200);
            assertThat(http("/q/metrics").body()).containsPattern("lbagent_etcd_staleness_seconds [1-9][0-9]");
            try (LoadGenerator load = LoadGenerator.keepAlive(publicPort, HOST, 2, 300, 30_000)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.count() >= 300);
                load.close();
                assertThat(load.failures()).isEmpty();
            }
        } finally {
            SharedInfra.etcd().restart();
        }
    }

    @Test
    @Order(1)
    void anAgentKilledWhileEtcdAndHaproxyMoveOnConvergesHaproxyToEtcdWithoutAReloadWhenItIsBack() throws Exception {
        apply(writer.upsertBackend(SHOP, new BackendSpec("default-shop-1",
                List.of(new ServerSpec("blue-a", "127.0.0.1", blue.port())), false, List.of(), "/health")));
        apply(writer.switchFrontend(FrontendSpec.http(HOST), "default-shop-1"));
        apply(writer.upsertBackend(SHOP, new BackendSpec("default-shop-2",
                List.of(new ServerSpec("green-a", "127.0.0.1", green.port())), false, List.of(), "/health")));
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo("blue");
        assertThat(workDir.resolve("haproxy.cfg")).exists();
        MasterCli master = new MasterCli(sockets.socket("master.sock"));
        ProcStatus before = master.showProc();

        agent.kill();
        writer.switchFrontend(FrontendSpec.http(HOST), "default-shop-2");
        long last = writer.removeBackend("default-shop-1");
        assertThat(master.runtime("set server be_default.shop.2/green-a state maint")).isBlank();
        assertThat(master.runtime("del server be_default.shop.2/green-a")).contains("Server deleted");
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).as("HAProxy serves on without its agent").isEqualTo("blue");
        // as if the agent had died after its Runtime API command and before the hosts map was on disk
        Path map = workDir.resolve("hosts.map");
        assertThat(master.runtime("set map " + map + " " + HOST + " be_default.shop.2")).isBlank();
        assertThat(Files.readString(map)).contains(HOST + " be_default.shop.1");

        agent.restart();
        apply(last);
        assertThat(Files.readString(map)).as("the hosts map on disk, once the restarted agent reported")
                .contains(HOST + " be_default.shop.2").doesNotContain(HOST + " be_default.shop.1");

        try (LoadGenerator load = LoadGenerator.start(publicPort, HOST, 2, 300, 30_000)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.count() >= 300);
            load.close();
            assertThat(load.results()).as("every request after the restarted agent reported revision %d", last)
                    .allSatisfy(r -> assertThat(r.body()).isEqualTo("green"));
        }
        ProcStatus after = master.showProc();
        assertThat(after.masterPid()).as("the same HAProxy, adopted").isEqualTo(before.masterPid());
        assertThat(after.reloads()).as("converged through the Runtime API").isEqualTo(before.reloads());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(master.runtime("show servers state")).doesNotContain("blue-a"));
    }
}
