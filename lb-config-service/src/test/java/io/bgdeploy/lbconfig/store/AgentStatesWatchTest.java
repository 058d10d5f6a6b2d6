package io.bgdeploy.lbconfig.store;

import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agents' reports as lb-config-service takes them, on an etcd of its own. Restored from a
 * backup: an agent that has not noticed yet reports the revision it served before the restore,
 * higher than etcd's now, and a command stored after the restore, at a lower revision, must not
 * count as served on the strength of it. Frozen: a command still learns what the watch delivered,
 * without waiting for the periodic whole read.
 */
class AgentStatesWatchTest {

    private static final String AGENT = "agent-a";
    private static final Duration REREAD = Duration.ofMillis(500);

    @Test
    void aCommandLooksAtWhatTheWatchHoldsWithoutWaitingForTheWholeRead() {
        try (EtcdServer server = EtcdServer.start(SharedInfra.workDir("agent-states-frozen"));
             EtcdAccess etcd = EtcdAccess.connect(List.of(server.endpoint()), Duration.ofSeconds(5));
             AgentStatesWatch watch = new AgentStatesWatch(etcd, REREAD)) {
            register(etcd);
            long served = currentRevision(etcd);
            report(etcd, served);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress(watch) == served);

            // the whole reads, every 500 ms, now wait for etcd until its timeout (5 s) and fail
            server.process().freeze(true);
            try {
                await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> {
                    long start = System.nanoTime();
                    long seen = progress(watch);
                    return seen == served && System.nanoTime() - start < Duration.ofMillis(200).toNanos();
                });
            } finally {
                server.process().freeze(false);
            }
            long later = currentRevision(etcd);
            report(etcd, later);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress(watch) == later);
        }
    }

    @Test
    void anUnreadableAgentEntryIsLeftOutAndTheAgentsBesideItCount() {
        try (EtcdServer server = EtcdServer.start(SharedInfra.workDir("agent-states-unreadable"));
             EtcdAccess etcd = EtcdAccess.connect(List.of(server.endpoint()), Duration.ofSeconds(5));
             AgentStatesWatch watch = new AgentStatesWatch(etcd, REREAD)) {
            register(etcd);
            report(etcd, currentRevision(etcd));
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent("agent-b")), bytes("{not json")));
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied("agent-b")), bytes("[]")));

            // the first look reads them all: the watch starts from that read
            assertThat(watch.current().agents()).containsOnlyKeys(AGENT);
            assertThat(etcd.agentStates().problems()).as("left out, with the reason").hasSize(2)
                    .anySatisfy(p -> assertThat(p).contains(EtcdLayout.agent("agent-b")))
                    .anySatisfy(p -> assertThat(p).contains(EtcdLayout.applied("agent-b")));

            // one written after the watch started
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.expected("agent-c")), bytes("42")));
            long later = currentRevision(etcd);
            report(etcd, later);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress(watch) == later);
            assertThat(watch.current().expected()).doesNotContainKey("agent-c");
            assertThat(watch.current().agents()).containsOnlyKeys(AGENT);

            // a readable entry overwritten with JSON's null: gone from the watch as from a whole read
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent("agent-d")),
                    json(new AgentRegistration("agent-d", "test", Instant.now()))));
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.current().agents().containsKey("agent-d"));
            etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent("agent-d")), bytes("null")));
            await().atMost(Duration.ofSeconds(10)).until(() -> !watch.current().agents().containsKey("agent-d"));
            assertThat(etcd.agentStates().agents()).containsOnlyKeys(AGENT);
            assertThat(etcd.agentStates().problems()).anySatisfy(p -> assertThat(p).contains(EtcdLayout.agent("agent-d")));
        }
    }

    @Test
    void aReportWrittenBeforeEtcdWentBackInTimeDoesNotCountAsServed() {
        Path dir = SharedInfra.workDir("agent-states");
        try (EtcdServer server = EtcdServer.start(dir);
             EtcdAccess etcd = EtcdAccess.connect(List.of(server.endpoint()), Duration.ofSeconds(5));
             AgentStatesWatch watch = new AgentStatesWatch(etcd, REREAD)) {
            register(etcd);
            report(etcd, currentRevision(etcd));
            server.backUpTo(dir.resolve("backup"));
            long served = 0;
            for (int i = 0; i < 20; i++) {
                served = currentRevision(etcd);
                report(etcd, served);
            }
            long servedBeforeRestore = served;
            await().atMost(Duration.ofSeconds(10)).until(() -> progress(watch) == servedBeforeRestore);

            server.restoreFrom(dir.resolve("backup"));
            await().atMost(Duration.ofSeconds(30)).until(etcd::reachable);
            // the agent, not aware of the restore yet, reports what it served before it
            report(etcd, servedBeforeRestore);
            long now = currentRevision(etcd);
            assertThat(now).as("etcd's revision after the restore").isLessThan(servedBeforeRestore);

            await().atMost(Duration.ofSeconds(15)).until(() -> progress(watch) != servedBeforeRestore);
            assertThat(progress(watch)).as("what the agent counts as serving").isLessThan(now);
            try (AgentStatesWatch fresh = new AgentStatesWatch(etcd, REREAD)) {
                assertThat(fresh.current().progress()).as("a whole read").doesNotContainKey(AGENT);
            }
            assertThat(etcd.agentStates().problems()).as("a whole read names what it left out, by the rule of the watch")
                    .singleElement().asString().contains(EtcdLayout.applied(AGENT)).contains("went back in time");

            report(etcd, now);
            await().atMost(Duration.ofSeconds(10)).until(() -> progress(watch) == now);
        }
    }

    /** The revision the watch holds the agent as serving; -1 for none. */
    private static long progress(AgentStatesWatch watch) {
        AgentProgress p = watch.current().progress().get(AGENT);
        return p == null ? -1 : p.revision();
    }

    private static void register(EtcdAccess etcd) {
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.agent(AGENT)),
                json(new AgentRegistration(AGENT, "test", Instant.now()))));
    }

    private static void report(EtcdAccess etcd, long revision) {
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.applied(AGENT)),
                json(new AgentProgress(AGENT, revision, Instant.now(), null, 0))));
    }

    private static long currentRevision(EtcdAccess etcd) {
        return etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.agent(AGENT)))).getHeader().getRevision();
    }
}
