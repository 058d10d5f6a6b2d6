package io.bgdeploy.lbconfig.store;

import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import io.bgdeploy.lbconfig.client.AgentHttpClient;
import io.bgdeploy.lbconfig.model.AgentConfirmation.Verdict;
import io.bgdeploy.lbconfig.testing.FakeAgentEndpoint;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A command waiting for the agents, on an etcd of its own (so no agent of another test is waited
 * for): an agent that registered a URL is heard directly, before any report of it is in etcd; an
 * agent that cannot be asked, or whose answer is not its own, is heard through etcd as before.
 */
class AgentConfirmationsTest {

    private static EtcdServer server;
    private static EtcdAccess etcd;
    private final AgentStatesWatch watch = new AgentStatesWatch(etcd);
    private final AgentConfirmations confirmations = new AgentConfirmations(watch, new AgentHttpClient(Duration.ofSeconds(2)), 1,
            Duration.ofSeconds(20));

    @BeforeAll
    static void startEtcd() {
        int clientPort = FreePorts.next();
        server = EtcdServer.start(SharedInfra.workDir("agent-confirmations"), clientPort, FreePorts.next());
        etcd = EtcdAccess.connect(List.of("http://127.0.0.1:" + clientPort), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
        server.close();
    }

    @BeforeEach
    void noAgents() {
        etcd.await(etcd.client().getKVClient().delete(bytes("/bgdeploy/lb/agent"), DeleteOption.builder().isPrefix(true).build()));
        etcd.await(etcd.client().getKVClient().delete(bytes(EtcdLayout.APPLIED), DeleteOption.builder().isPrefix(true).build()));
    }

    @AfterEach
    void closeWatch() {
        watch.close();
    }

    private static void register(String agentId, String url) {
        etcd.await(etcd.client().getKVClient().txn().Then(
                Op.put(bytes(EtcdLayout.agent(agentId)), json(new AgentRegistration(agentId, "test", Instant.now(), url)),
                        PutOption.DEFAULT),
                Op.put(bytes(EtcdLayout.expected(agentId)), json(new ExpectedAgent(agentId, "test", Instant.now())),
                        PutOption.DEFAULT)).commit());
    }

    private static long report(String agentId, long revision) {
        return etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied(agentId)),
                json(new AgentProgress(agentId, revision, Instant.now(), null, 0)))).getHeader().getRevision();
    }

    private static long revision() {
        return etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.GENERATION), bytes("c-1"))).getHeader().getRevision();
    }

    @Test
    void agentsThatServeTheRevisionAreHeardDirectlyWithNoReportInEtcd() {
        try (FakeAgentEndpoint a = new FakeAgentEndpoint("a", 0); FakeAgentEndpoint b = new FakeAgentEndpoint("b", 0)) {
            register("a", a.url());
            register("b", b.url());
            long revision = revision();
            a.serving("a", revision);
            b.serving("b", revision + 3);

            assertThat(confirmations.await(revision)).isEqualTo(new Verdict.Confirmed(List.of("a", "b")));
            assertThat(a.queries()).singleElement().asString().startsWith("atLeast=" + revision + "&waitMs=");
            assertThat(etcd.agentStates().progress()).as("no agent reported in etcd").isEmpty();
        }
    }

    @Test
    void anAgentWithoutAUrlAndOneThatAnswersAsAnotherAreHeardThroughEtcd() throws Exception {
        try (FakeAgentEndpoint a = new FakeAgentEndpoint("a", 0); FakeAgentEndpoint impostor = new FakeAgentEndpoint("c", 0)) {
            register("a", a.url());
            register("b", null);
            register("c", "http://127.0.0.1:" + FreePorts.next());
            register("d", impostor.url());
            long revision = revision();
            a.serving("a", revision);
            impostor.serving("someone-else", revision);

            CompletableFuture<Verdict> verdict = CompletableFuture.supplyAsync(() -> confirmations.await(revision));
            await().atMost(Duration.ofSeconds(10)).until(() -> !impostor.queries().isEmpty() && watch.heard().containsKey("a"));
            assertThat(verdict).as("b, c and d have not reported in etcd").isNotDone();
            assertThat(watch.heard()).containsOnlyKeys("a");

            report("b", revision);
            report("c", revision);
            report("d", revision);

            assertThat(verdict.get()).isEqualTo(new Verdict.Confirmed(List.of("a", "b", "c", "d")));
        }
    }

    @Test
    void aFailureReportedInEtcdRefusesTheRevisionWhileTheAgentServesAnOlderOne() {
        try (FakeAgentEndpoint a = new FakeAgentEndpoint("a", 0)) {
            register("a", a.url());
            long revision = revision();
            a.serving("a", revision - 1);
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied("a")),
                    json(new AgentProgress("a", revision - 1, Instant.now(), "haproxy -c: missing certificate", revision))));

            assertThat(confirmations.await(revision)).isInstanceOfSatisfying(Verdict.Refused.class,
                    r -> assertThat(r.reason()).contains("missing certificate"));
        }
    }
}
