package io.bgdeploy.lbagent.sync;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.haproxy.MasterCli;
import io.bgdeploy.lbagent.render.FileDescriptorBudget;
import io.bgdeploy.lbagent.render.FileDescriptorBudget.ConnectionLimit;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.render.HaproxySettings;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent on a real etcd and a real HAProxy in master-worker mode, with small HTTP servers
 * standing for the versions of an app. Its files live in a directory of at least 150 characters, as in a
 * checkout deep in a CI workspace; its master socket lives in a short directory of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxyAgentTest {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final String HOST = "shop.example.com";
    private static final String AGENT = "agent-test";

    private static SocketDirectory sockets;
    private static EtcdServer etcd;
    private static EtcdAgentStore store;
    private static LbConfigWriter writer;
    private static HaproxyAgent agent;
    private static MasterCli master;
    private static final List<VersionServer> servers = new ArrayList<>();
    private static int publicPort;
    private static Path configFile;
    private static final List<String> failures = new CopyOnWriteArrayList<>();
    /**
     * The open-files limit the agent renders for: HAProxy's configured maxconn of 4,000 needs 8,000
     * descriptors, so every file gets a lower one (HAProxy itself runs under the test's own limit).
     */
    private static final FileDescriptorBudget OPEN_FILES = new FileDescriptorBudget(5_000, 1);
    private static final List<ConnectionLimit> limits = new CopyOnWriteArrayList<>();
    /** The version serving now: backend id and the body its server answers. */
    private static String current;
    private static String currentBody;
    private static int version;

    @BeforeAll
    static void start() {
        etcd = EtcdServer.start(SharedInfra.workDir("etcd-agent"));
        store = new EtcdAgentStore(EtcdAccess.connect(List.of(etcd.endpoint()), Duration.ofSeconds(3)));
        writer = new LbConfigWriter(etcd.endpoint());
        // as from a checkout deep in a CI workspace: the socket must not live below it
        Path dir = SharedInfra.workDirOfAtLeast("haproxy-agent", 150);
        sockets = SocketDirectory.create("agent-test");
        configFile = dir.resolve("haproxy.cfg");
        publicPort = FreePorts.next();
        HaproxySettings haproxy = HaproxySettings.localDefaults().withPorts(publicPort, FreePorts.next());
        AgentSettings settings = AgentsUnderTest.startingHaproxy(AGENT, configFile, sockets.socket("master.sock"), haproxy);
        agent = new HaproxyAgent(store, new HaproxyConfigRenderer(OPEN_FILES, limits::add), settings,
                (id, revision, reason) -> failures.add(revision + ": " + reason));
        agent.start();
        master = new MasterCli(settings.masterSocket());
        deployNextVersion();
    }

    @AfterAll
    static void stop() {
        agent.close();
        store.close();
        writer.close();
        servers.forEach(VersionServer::close);
        etcd.close();
        sockets.close();
    }

    /** Waits, as lb-config-service does, until the agent serves the revision of a change. */
    private static void apply(long revision) {
        AgentProgress progress = writer.awaitApplied(AGENT, revision, Duration.ofSeconds(30));
        assertThat(progress.failure()).isNull();
    }

    /**
     * One blue-green deployment as the deployer runs it: the new version's backend, the switch,
     * then the old version's backend goes. Returns when the agent serves the switch.
     */
    private static long deployNextVersion() {
        version++;
        VersionServer next = VersionServer.start("v" + version);
        servers.add(next);
        String backend = "default-shop-" + version;
        apply(writer.upsertBackend(SHOP, new BackendSpec(backend,
                List.of(new ServerSpec("shop-" + version + "-a", "127.0.0.1", next.port())), false, List.of(), "/health")));
        long switched = writer.switchFrontend(FrontendSpec.http(HOST), backend);
        apply(switched);
        String previous = current;
        current = backend;
        currentBody = next.name();
        if (previous != null) {
            apply(writer.removeBackend(previous));
        }
        return switched;
    }

    private static int masterReloads() {
        return master.showProc().reloads();
    }

    @Test
    @Order(1)
    void deploymentsOfAnAppGoThroughTheRuntimeApiWithoutAReloadAndFailNoKeepAliveOrClosingRequest() {
        int reloadsBefore = masterReloads();
        int agentReloadsBefore = agent.status().reloads();
        try (LoadGenerator keepAlive = LoadGenerator.keepAlive(publicPort, HOST, 3, 2_000_000, 180_000);
             LoadGenerator closing = LoadGenerator.start(publicPort, HOST, 2, 2_000_000, 180_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> keepAlive.count() > 50 && closing.count() > 20);
            for (int i = 0; i < 6; i++) {
                deployNextVersion();
                long appliedAt = System.nanoTime();
                String expected = currentBody;
                await().atMost(Duration.ofSeconds(10)).until(() -> keepAlive.startedAfter(appliedAt).size() >= 30
                        && closing.startedAfter(appliedAt).size() >= 10);
                assertThat(keepAlive.startedAfter(appliedAt)).as("keep-alive responses after deployment %d", i + 1)
                        .allSatisfy(r -> assertThat(r.body()).isEqualTo(expected));
                assertThat(closing.startedAfter(appliedAt)).as("responses after deployment %d", i + 1)
                        .allSatisfy(r -> assertThat(r.body()).isEqualTo(expected));
            }
            keepAlive.close();
            closing.close();
            assertThat(keepAlive.failures()).as("failed keep-alive requests out of %d", keepAlive.count()).isEmpty();
            assertThat(closing.failures()).as("failed requests out of %d", closing.count()).isEmpty();
            assertThat(keepAlive.count()).isGreaterThan(300);
        }
        // every old version's server leaves HAProxy, and the agent stops trying to delete it
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.leaving().servers() == 0);
        assertThat(master.runtime("show servers state")).doesNotContain("shop-" + (version - 1) + "-a")
                .contains("shop-" + version + "-a");
        assertThat(masterReloads()).as("reloads of HAProxy during 6 deployments").isEqualTo(reloadsBefore);
        assertThat(agent.status().reloads()).isEqualTo(agentReloadsBefore);
        assertThat(agent.status().runtimeUpdates()).isGreaterThanOrEqualTo(18);
        assertThat(agent.status().healthy()).isTrue();
        assertThat(failures).isEmpty();
    }

    @Test
    @Order(2)
    void theFilesOnDiskDescribeWhatHaproxyRunsSoARestartComesUpTheSame() throws Exception {
        String config = Files.readString(configFile);
        String map = Files.readString(configFile.resolveSibling("hosts.map"));
        String slot = map.lines().filter(l -> l.startsWith(HOST + " ")).findFirst().orElseThrow().split(" ")[1];

        assertThat(HaproxyConfigRenderer.sections(config)).containsEntry(slot, current);
        assertThat(writer.etcd().agentStates().expected()).as("the agent is expected from its first registration on")
                .containsKey(AGENT);
        assertThat(config).contains("    server shop-" + version + "-a 127.0.0.1:");
        assertThat(master.runtime("get map " + configFile.resolveSibling("hosts.map") + " " + HOST)).contains("value=\"" + slot + "\"");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(master.runtime("show servers state")).doesNotContain("shop-" + (version - 1) + "-a"));
    }

    @Test
    @Order(3)
    void aNewHostIsAChangeOfStructureAndItsReloadFailsNoKeepAliveRequest() {
        int reloadsBefore = masterReloads();
        VersionServer other = VersionServer.start("other");
        servers.add(other);
        try (LoadGenerator keepAlive = LoadGenerator.keepAlive(publicPort, HOST, 3, 2_000_000, 60_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> keepAlive.count() > 100);
            apply(writer.upsertBackend(new AppRef("default", "other"), new BackendSpec("default-other-1",
                    List.of(new ServerSpec("other-1-a", "127.0.0.1", other.port())), false, List.of(), "/health")));
            apply(writer.switchFrontend(FrontendSpec.http("other.example.com"), "default-other-1"));
            long after = keepAlive.count();
            await().atMost(Duration.ofSeconds(10)).until(() -> keepAlive.count() > after + 200);
            keepAlive.close();
            assertThat(keepAlive.failures()).as("failed keep-alive requests out of %d across the reload", keepAlive.count())
                    .isEmpty();
        }
        assertThat(masterReloads()).isGreaterThan(reloadsBefore);
        assertThat(LoadGeneratorAccess.get(publicPort, "other.example.com")).isEqualTo("other");
    }

    @Test
    @Order(4)
    void aServerAddressChangeGoesThroughTheRuntimeApiWithoutAReload() {
        int reloadsBefore = masterReloads();
        try (VersionServer moved = VersionServer.start(currentBody)) {
            apply(writer.upsertBackend(SHOP, new BackendSpec(current,
                    List.of(new ServerSpec("shop-" + version + "-a", "127.0.0.1", moved.port())), false, List.of(), "/health")));

            assertThat(masterReloads()).isEqualTo(reloadsBefore);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(moved.name()));
            VersionServer original = servers.get(servers.size() - 2);
            apply(writer.upsertBackend(SHOP, new BackendSpec(current,
                    List.of(new ServerSpec("shop-" + version + "-a", "127.0.0.1", original.port())), false, List.of(), "/health")));
        }
    }

    @Test
    @Order(5)
    void aConfigurationHaproxyRejectsNeverGoesLiveAndIsReportedOncePerDesiredState() throws Exception {
        String before = Files.readString(configFile);
        int reported = failures.size();
        long revision = writer.switchFrontend(hostWithoutCertificate("secure.example.com"), current);

        AgentProgress progress = writer.awaitFailure(AGENT, revision, Duration.ofSeconds(20));

        assertThat(progress.revision()).isLessThan(revision);
        assertThat(progress.failure()).contains("not valid").contains("cert.pem");
        await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() > reported);
        assertThat(agent.status().healthy()).isFalse();
        assertThat(Files.readString(configFile)).isEqualTo(before);
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(currentBody);

        // every newer revision of the configuration (here writes that change nothing the agent serves,
        // as lb-config-service's generation key with each command) moves the failure on in etcd, so a
        // command waiting for that revision learns at once; the failure is published only once
        AgentProgress later = writer.awaitFailure(AGENT, writer.touchGeneration(), Duration.ofSeconds(20));
        later = writer.awaitFailure(AGENT, writer.touchGeneration(), Duration.ofSeconds(20));
        assertThat(later.failure()).isEqualTo(progress.failure());
        assertThat(failures).hasSize(reported + 1);

        long another = writer.switchFrontend(hostWithoutCertificate("secure2.example.com"), current);
        writer.awaitFailure(AGENT, another, Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() == reported + 2);
        assertThat(failures.get(reported + 1)).startsWith(another + ": ").contains("not valid");

        writer.removeFrontend(HostName.of("secure2.example.com"));
        apply(writer.removeFrontend(HostName.of("secure.example.com")));
        assertThat(agent.status().healthy()).isTrue();
    }

    private static FrontendSpec hostWithoutCertificate(String host) {
        return new FrontendSpec(HostName.of(host), false, false, List.of(), false, TlsMode.HTTPS_ONLY,
                "/nonexistent/" + host + "/cert.pem");
    }

    @Test
    @Order(6)
    void haproxyKilledWhileItsRuntimeStateDiffersFromTheFileComesBackWithTheRoutingOfEtcd() {
        String map = configFile.resolveSibling("hosts.map").toString();
        for (String victim : List.of("worker", "master")) {
            String serving = master.runtime("get map " + map + " " + HOST).replaceAll("(?s).*value=\"([^\"]*)\".*", "$1");
            String other = serving.endsWith(".1") ? serving.substring(0, serving.length() - 1) + "2"
                    : serving.substring(0, serving.length() - 1) + "1";
            assertThat(master.runtime("set map " + map + " " + HOST + " " + other)).isBlank();
            assertThat(LoadGeneratorAccess.status(publicPort, HOST)).as("the drifted route points at the free slot").isEqualTo(503);
            long pid = victim.equals("worker") ? master.showProc().workers().get(0) : master.showProc().masterPid();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> master.showProc().masterPid() != pid
                    && !master.showProc().workers().contains(pid) && agent.status().haproxyServing());
            try (LoadGenerator load = LoadGenerator.start(publicPort, HOST, 2, 200, 20_000)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> load.count() >= 200);
                load.close();
                assertThat(load.results()).as("after a kill -9 of the %s", victim)
                        .allSatisfy(r -> assertThat(r.body()).isEqualTo(currentBody));
            }
            assertThat(master.runtime("get map " + map + " " + HOST)).contains("value=\"" + serving + "\"");
        }
    }

    @Test
    @Order(7)
    void haproxyKeepsServingWhileEtcdIsDownAndTheAgentCatchesUpAfterItsRestart() {
        etcd.kill();
        try (LoadGenerator load = LoadGenerator.start(publicPort, HOST, 2, 300, 30_000)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.count() >= 300);
            assertThat(load.failures()).isEmpty();
        }
        etcd.restart();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> writer.etcd().reachable());
        deployNextVersion();

        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(currentBody);
    }

    @Test
    @Order(8)
    void theStatusShowsTheMaxconnHaproxyRunsWithAlsoWhenItsOpenFilesLimitLowersIt() {
        List<Long> workersBefore = master.showProc().workers();
        apply(writer.switchFrontend(FrontendSpec.http("limits.example.com"), current));
        int rendered = limits.get(limits.size() - 1).effective();
        assertThat(rendered).isLessThan(HaproxySettings.localDefaults().maxConnections());
        await().atMost(Duration.ofSeconds(10)).until(() -> !master.showProc().workers().equals(workersBefore)
                && agent.status().haproxyMaxConnections() == rendered);
        assertThat(master.runtime("show info")).contains("Maxconn: " + rendered + "\n");
    }

    /**
     * etcd restored from a backup taken two deployments ago: the routing of the backup comes back,
     * although etcd's revision is now lower than the one the agent last reported, and a deployment
     * after the restore is applied; the agent's report never claims a revision etcd has not reached.
     */
    @Test
    @Order(9)
    void afterEtcdIsRestoredFromABackupTheRoutingFollowsEtcdAsRestored() {
        Path backup = SharedInfra.workDir("etcd-agent-backup").resolve("data");
        etcd.backUpTo(backup);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> writer.etcd().reachable());
        String backedUp = current;
        String backedUpBody = currentBody;
        deployNextVersion();
        deployNextVersion();
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(currentBody);
        // far ahead of the backup: etcd does not reach this revision again within the test
        for (int i = 0; i < 199; i++) {
            writer.touchGeneration();
        }
        long lastBeforeRestore = writer.touchGeneration();

        etcd.restoreFrom(backup);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> writer.etcd().reachable());

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(LoadGeneratorAccess.get(publicPort, HOST)).as("routed as in the backup").isEqualTo(backedUpBody);
            AgentProgress reported = writer.progress(AGENT);
            assertThat(reported.revision()).as("the revision the agent reports").isLessThan(lastBeforeRestore)
                    .isLessThanOrEqualTo(writer.etcd().readConfig().revision());
        });
        current = backedUp;
        currentBody = backedUpBody;

        long switched = deployNextVersion();
        assertThat(switched).as("etcd's revision after the restore").isLessThan(lastBeforeRestore);
        assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(currentBody);
    }

    @Test
    @Order(10)
    void anUnreadableEntryOfAnotherAgentLeavesThisAgentsChangesGoing() {
        // written by a tool, or left half written: the agent's check of its own lease reads every
        // agent's entry, and one it cannot read must not stop its reconciles
        String corrupt = EtcdLayout.agent("agent-corrupt");
        writer.etcd().await(writer.etcd().client().getKVClient().put(EtcdAccess.bytes(corrupt), EtcdAccess.bytes("{not json")));
        try {
            Instant written = Instant.now();
            // a report written more than a reconcile interval (2 s) after it: a lease check came in between
            await().atMost(Duration.ofSeconds(15)).until(() -> reportedAt().isAfter(written.plusSeconds(3)));
            assertThat(writer.etcd().agentStates().problems()).as("left out, with the reason")
                    .singleElement().asString().contains(corrupt);

            deployNextVersion();
            assertThat(LoadGeneratorAccess.get(publicPort, HOST)).isEqualTo(currentBody);
        } finally {
            writer.etcd().await(writer.etcd().client().getKVClient().delete(EtcdAccess.bytes(corrupt)));
        }
    }

    /** When the agent last reported, read from its own key alone (not through every agent's entries). */
    private static Instant reportedAt() {
        var kvs = writer.etcd().await(writer.etcd().client().getKVClient().get(EtcdAccess.bytes(EtcdLayout.applied(AGENT)))).getKvs();
        return StoredJson.read(kvs.get(0).getValue().getBytes(), AgentProgress.class).at();
    }
}
