package io.bgdeploy.lbconfig.agent;

import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lbconfig.messaging.AgentWaiter;
import io.bgdeploy.lbconfig.render.HaproxyConfigRenderer;
import io.bgdeploy.lbconfig.render.HaproxySettings;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lbconfig.store.StoredJson.CommandOutcome;
import io.bgdeploy.lbconfig.store.StoredJson.Outcome;
import io.bgdeploy.lbconfig.testing.LoadGenerator;
import io.bgdeploy.lbconfig.testing.LoadGeneratorAccess;
import io.bgdeploy.lbconfig.testing.VersionServer;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent on a real etcd and a real HAProxy in master-worker mode, with two small HTTP servers
 * standing for the blue and the green version of an app.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxyAgentTest {

    private static final String HOST = "shop.example.com";
    private static final String BLUE = "default-shop-1";
    private static final String GREEN = "default-shop-2";

    private static SocketDirectory sockets;
    private static EtcdServer etcd;
    private static EtcdLbStore store;
    private static HaproxyAgent agent;
    private static VersionServer blue;
    private static VersionServer green;
    private static int publicPort;
    private static Path configFile;
    private static final List<String> failures = new CopyOnWriteArrayList<>();
    private static String current = null;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.start(SharedInfra.workDir("etcd-agent"));
        store = EtcdLbStore.connect(List.of(etcd.endpoint()), Duration.ofSeconds(3));
        blue = VersionServer.start("blue");
        green = VersionServer.start("green");
        // as from a checkout deep in a CI workspace: the socket must not live below it
        Path dir = SharedInfra.workDirOfLength("haproxy-agent", 150);
        sockets = SocketDirectory.create("agent-test");
        configFile = dir.resolve("haproxy.cfg");
        publicPort = FreePorts.next();
        HaproxySettings haproxy = HaproxySettings.localDefaults().withPorts(publicPort, FreePorts.next());
        AgentSettings settings = new AgentSettings("agent-test", Path.of("/usr/sbin/haproxy"), configFile,
                sockets.socket("master.sock"), true, haproxy, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(10));
        agent = new HaproxyAgent(store, new HaproxyConfigRenderer(), settings,
                (id, revision, reason) -> failures.add(revision + ": " + reason));
        agent.start();
        apply(new UpsertBackend(id(), "d-1", "default", "shop",
                new BackendSpec(BLUE, List.of(new ServerSpec("blue-1", "127.0.0.1", blue.port())), false, List.of(), "/health")));
        apply(new UpsertBackend(id(), "d-2", "default", "shop",
                new BackendSpec(GREEN, List.of(new ServerSpec("green-1", "127.0.0.1", green.port())), false, List.of(), "/health")));
        switchTo(BLUE);
    }

    @AfterAll
    static void stop() {
        agent.close();
        store.close();
        blue.close();
        green.close();
        etcd.close();
        sockets.close();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** Applies a command and waits, as the consumer does, until the agent serves its revision. */
    private static long apply(io.bgdeploy.events.lb.LbCommand command) {
        CommandOutcome outcome = store.apply(command).outcome();
        assertThat(outcome.outcome()).as(outcome.reason()).isEqualTo(Outcome.APPLIED);
        AgentWaiter.Result confirmed = AgentWaiter.await(store, outcome.revision(), 1, Duration.ofSeconds(20));
        assertThat(confirmed.applied()).as(confirmed.reason()).isTrue();
        assertThat(confirmed.agents()).containsExactly("agent-test");
        return outcome.revision();
    }

    private static void switchTo(String backend) {
        apply(new SwitchFrontend(id(), "d", "default", "shop", FrontendSpec.http(HOST), backend, current));
        current = backend;
    }

    @Test
    @Order(1)
    void switchingBackAndForthUnderLoadFailsNoRequestAndServesTheNewSideOnceApplied() {
        try (LoadGenerator load = LoadGenerator.start(publicPort, HOST, 3, 200_000, 120_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.count() > 50);
            for (int i = 0; i < 10; i++) {
                String target = BLUE.equals(current) ? GREEN : BLUE;
                String expectedBody = GREEN.equals(target) ? "green" : "blue";
                switchTo(target);
                long appliedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.startedAfter(appliedAt).size() >= 30);
                assertThat(load.startedAfter(appliedAt)).as("responses after switch %d to %s", i + 1, target)
                        .allSatisfy(r -> assertThat(r.body()).isEqualTo(expectedBody));
            }
            load.close();
            assertThat(load.failures()).as("failed requests out of %d", load.count()).isEmpty();
            assertThat(load.count()).isGreaterThan(300);
        }
        assertThat(agent.status().healthy()).isTrue();
        assertThat(failures).isEmpty();
    }

    @Test
    @Order(2)
    void aServerAddressChangeGoesThroughTheRuntimeApiWithoutAReload() {
        HaproxyAgent.Status before = agent.status();
        try (VersionServer moved = VersionServer.start(current.equals(BLUE) ? "blue" : "green")) {
            String expected = moved.name();
            apply(new UpsertBackend(id(), "d", "default", "shop", new BackendSpec(current,
                    List.of(new ServerSpec(current.equals(BLUE) ? "blue-1" : "green-1", "127.0.0.1", moved.port())),
                    false, List.of(), "/health")));

            assertThat(agent.status().reloads()).isEqualTo(before.reloads());
            assertThat(agent.status().runtimeUpdates()).isEqualTo(before.runtimeUpdates() + 1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(expected));
            VersionServer original = current.equals(BLUE) ? blue : green;
            apply(new UpsertBackend(id(), "d", "default", "shop", new BackendSpec(current,
                    List.of(new ServerSpec(current.equals(BLUE) ? "blue-1" : "green-1", "127.0.0.1", original.port())),
                    false, List.of(), "/health")));
        }
    }

    @Test
    @Order(3)
    void aConfigurationHaproxyRejectsNeverGoesLiveAndIsReported() throws Exception {
        String before = Files.readString(configFile);
        long revision = store.apply(new SwitchFrontend(id(), "d", "default", "shop",
                new FrontendSpec("secure.example.com", false, false, List.of(), false, TlsMode.HTTPS_ONLY,
                        "/nonexistent/cert.pem"), BLUE, null)).outcome().revision();

        AgentWaiter.Result result = AgentWaiter.await(store, revision, 1, Duration.ofSeconds(20));

        assertThat(result.applied()).isFalse();
        assertThat(result.reason()).contains("agent-test cannot apply revision").contains("cert.pem");
        await().atMost(Duration.ofSeconds(5)).until(() -> !failures.isEmpty());
        assertThat(agent.status().healthy()).isFalse();
        assertThat(Files.readString(configFile)).isEqualTo(before);
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isIn("blue", "green");

        apply(new io.bgdeploy.events.lb.RemoveFrontend(id(), "d", "default", "shop", "secure.example.com", null));
        assertThat(agent.status().healthy()).isTrue();
    }

    @Test
    @Order(4)
    void haproxyKeepsServingWhileEtcdIsDownAndTheAgentCatchesUpAfterItsRestart() {
        etcd.kill();
        try (LoadGenerator load = LoadGenerator.start(publicPort, HOST, 2, 300, 30_000)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.count() >= 300);
            assertThat(load.failures()).isEmpty();
        }
        etcd.restart();

        String target = BLUE.equals(current) ? GREEN : BLUE;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.reachable());
        switchTo(target);

        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(GREEN.equals(target) ? "green" : "blue");
    }
}
