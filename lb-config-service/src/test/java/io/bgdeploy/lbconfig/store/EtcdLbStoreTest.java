package io.bgdeploy.lbconfig.store;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The store on a real etcd: reference layout, compare-and-swap switches, idempotent commands. */
class EtcdLbStoreTest {

    private static EtcdLbStore store;
    private static WatchedConfig view;
    private static Client raw;

    @BeforeAll
    static void connect() {
        String endpoint = SharedInfra.etcd().endpoint();
        EtcdAccess etcd = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(5));
        view = new WatchedConfig(etcd, Duration.ofMillis(20));
        store = new EtcdLbStore(etcd, view);
        raw = Client.builder().endpoints(endpoint).build();
        // the commands below are decided on the watched view, not on etcd reads before it is ready
        await().atMost(Duration.ofSeconds(30)).until(view::ready);
    }

    @AfterAll
    static void close() {
        store.close();
        raw.close();
    }

    /** A store as the service builds it: deciding on a watched view first. */
    private static EtcdLbStore connectStore() {
        EtcdAccess etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(5));
        return new EtcdLbStore(etcd, new WatchedConfig(etcd, Duration.ofMillis(20)));
    }

    /** An app with three backends and its host routed to the first (blue). */
    private record AppOnBlue(String app, String blue, String green, String third, String host) {
    }

    private static AppOnBlue appOnBlue() {
        String app = app();
        AppOnBlue a = new AppOnBlue(app, "default-" + app + "-1", "default-" + app + "-2", "default-" + app + "-3",
                app + ".example.com");
        store.apply(upsert(app, a.blue(), new ServerSpec("b", "10.1.0.1", 8080)));
        store.apply(upsert(app, a.green(), new ServerSpec("g", "10.1.0.2", 8080)));
        store.apply(upsert(app, a.third(), new ServerSpec("t", "10.1.0.3", 8080)));
        store.apply(switchTo(app, a.host(), a.blue(), null));
        return a;
    }

    private static String app() {
        return "app" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static UpsertBackend upsert(String app, String id, ServerSpec... servers) {
        return new UpsertBackend(UUID.randomUUID().toString(), "d-1", "default", app,
                new BackendSpec(id, List.of(servers), true, List.of(new HttpHeader("X-App", app)), "/health"));
    }

    private static SwitchFrontend switchTo(String app, String host, String backend, String expected) {
        return new SwitchFrontend(UUID.randomUUID().toString(), "d-1", "default", app,
                new FrontendSpec(HostName.of(host), true, false, List.of(), true, TlsMode.HTTP_ONLY, null), backend, expected);
    }

    private static String get(String key) throws Exception {
        var kvs = raw.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8)).get().getKvs();
        return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheReferenceLayoutThatConfdTemplatesRead() throws Exception {
        String app = app();
        String id = "default-" + app + "-1";
        store.apply(upsert(app, id, new ServerSpec("pod-a", "10.1.0.1", 8080)));
        store.apply(switchTo(app, app + ".example.com", id, null));

        assertThat(get("/proxy/frontends/" + app + ".example.com")).isEqualTo(
                "{\"Hostname\":\"" + app + ".example.com\",\"Type\":\"http\",\"BackendId\":\"" + id
                        + "\",\"RedirectWwwPrefix\":true}");
        assertThat(get("/proxy/backends/" + id + "/pod-a")).isEqualTo(
                "{\"IPAddress\":\"10.1.0.1\",\"Port\":8080,\"CompressionEnabled\":true,"
                        + "\"AdditionHttpHeaders\":[{\"Header\":\"X-App\",\"Value\":\"" + app + "\"}]}");
        Snapshot snapshot = store.read();
        assertThat(snapshot.model().frontend(HostName.of(app + ".example.com"))).get()
                .satisfies(f -> assertThat(f.backendId()).isEqualTo(id))
                .satisfies(f -> assertThat(f.spec().stickySessions()).isTrue());
        assertThat(snapshot.model().backend(id)).get().satisfies(b -> {
            assertThat(b.spec().healthCheckPath()).isEqualTo("/health");
            assertThat(b.app()).as("the app the backend is a version of").isEqualTo(new AppRef("default", app));
        });
    }

    @Test
    void aSwitchIsACompareAndSwapAndAStaleSwitchIsRejected() {
        AppOnBlue a = appOnBlue();
        String app = a.app(), blue = a.blue(), green = a.green(), third = a.third(), host = a.host();

        var toGreen = store.apply(switchTo(app, host, green, blue));
        var staleToThird = store.apply(switchTo(app, host, third, blue));
        var createAgain = store.apply(switchTo(app, host, blue, null));

        assertThat(toGreen.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(staleToThird.outcome().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(staleToThird.outcome().reason()).contains("stale switch").contains("routes to " + green);
        assertThat(createAgain.outcome().reason()).contains("already exists");
        assertThat(store.read().model().frontend(HostName.of(host)).orElseThrow().backendId()).isEqualTo(green);
    }

    @Test
    void theSameSwitchSentAgainUnderANewIdIsConfirmedAgainAndChangesNothing() {
        String app = app();
        String blue = "default-" + app + "-1";
        String green = "default-" + app + "-2";
        String host = app + ".example.com";
        store.apply(upsert(app, blue, new ServerSpec("b", "10.1.0.1", 8080)));
        store.apply(upsert(app, green, new ServerSpec("g", "10.1.0.2", 8080)));
        store.apply(switchTo(app, host, blue, null));
        store.apply(switchTo(app, host, green, blue));

        // a deployer that continues a deployment does not know whether its predecessor's switch was applied
        var again = store.apply(switchTo(app, host, green, blue));

        assertThat(again.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(again.firstTime()).isTrue();
        assertThat(store.read().model().frontend(HostName.of(host)).orElseThrow().backendId()).isEqualTo(green);
    }

    @Test
    void aRedeliveredCommandChangesNothingAndKeepsItsFirstOutcome() {
        String app = app();
        String id = "default-" + app + "-1";
        UpsertBackend command = upsert(app, id, new ServerSpec("a", "10.1.0.1", 8080));

        var first = store.apply(command);
        store.apply(upsert(app, id, new ServerSpec("b", "10.1.0.9", 8080)));
        var again = store.apply(command);

        assertThat(first.firstTime()).isTrue();
        assertThat(again.firstTime()).isFalse();
        assertThat(again.outcome().revision()).isEqualTo(first.outcome().revision());
        assertThat(store.read().model().backend(id).orElseThrow().spec().servers())
                .containsExactly(new ServerSpec("b", "10.1.0.9", 8080));
    }

    @Test
    void removingABackendInUseIsRejectedAndRemovalsOfAbsentThingsAreNoOps() {
        String app = app();
        String id = "default-" + app + "-1";
        String host = app + ".example.com";
        store.apply(upsert(app, id, new ServerSpec("a", "10.1.0.1", 8080)));
        store.apply(switchTo(app, host, id, null));

        var inUse = store.apply(new RemoveBackend(UUID.randomUUID().toString(), "d-1", "default", app, id));
        var wrongExpectation = store.apply(new RemoveFrontend(UUID.randomUUID().toString(), "d-1", "default", app, HostName.of(host),
                "default-" + app + "-7"));
        var removeFrontend = store.apply(new RemoveFrontend(UUID.randomUUID().toString(), "d-1", "default", app, HostName.of(host), id));
        var removeBackend = store.apply(new RemoveBackend(UUID.randomUUID().toString(), "d-1", "default", app, id));
        var removeAgain = store.apply(new RemoveBackend(UUID.randomUUID().toString(), "d-1", "default", app, id));

        assertThat(inUse.outcome().reason()).contains("still in use by frontend(s) " + host);
        assertThat(wrongExpectation.outcome().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(removeFrontend.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(removeBackend.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(removeAgain.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(store.read().model().backend(id)).isEmpty();
        assertThat(store.read().model().frontend(HostName.of(host))).isEmpty();
    }

    @Test
    void concurrentSwitchesOfOneFrontendFromTheSameStateApplyExactlyOnce() throws Exception {
        String app = app();
        String blue = "default-" + app + "-1";
        String host = app + ".example.com";
        store.apply(upsert(app, blue, new ServerSpec("b", "10.1.0.1", 8080)));
        store.apply(switchTo(app, host, blue, null));
        List<String> greens = new ArrayList<>();
        for (int i = 2; i < 10; i++) {
            greens.add("default-" + app + "-" + i);
            store.apply(upsert(app, "default-" + app + "-" + i, new ServerSpec("g", "10.1.0." + i, 8080)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (EtcdLbStore second = connectStore()) {
            List<Future<EtcdLbStore.ApplyResult>> results = new ArrayList<>();
            for (int i = 0; i < greens.size(); i++) {
                EtcdLbStore s = i % 2 == 0 ? store : second;
                String green = greens.get(i);
                results.add(pool.submit(() -> s.apply(switchTo(app, host, green, blue))));
            }
            long applied = 0;
            for (Future<EtcdLbStore.ApplyResult> r : results) {
                applied += r.get().outcome().outcome() == Outcome.APPLIED ? 1 : 0;
            }
            assertThat(applied).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(greens).contains(store.read().model().frontend(HostName.of(host)).orElseThrow().backendId());
    }

    @Test
    void invalidEntriesWrittenByAnotherToolAreLeftOutWithAReason() throws Exception {
        String app = app();
        raw.getKVClient().put(ByteSequence.from("/proxy/frontends/" + app + ".example.com", StandardCharsets.UTF_8),
                ByteSequence.from("{\"Hostname\":\"x\",\"Type\":\"http\",\"BackendId\":\"a\\nbackend evil\"}",
                        StandardCharsets.UTF_8)).get();

        Snapshot snapshot = store.read();

        assertThat(snapshot.model().frontend(HostName.of(app + ".example.com"))).isEmpty();
        assertThat(snapshot.problems()).anySatisfy(p -> assertThat(p).contains(app + ".example.com").contains("backend id"));
        raw.getKVClient().delete(ByteSequence.from("/proxy/frontends/" + app + ".example.com", StandardCharsets.UTF_8)).get();
    }

    @Test
    void aCommandDecidedOnAStaleViewIsDecidedAgainOnEtcd() {
        AppOnBlue a = appOnBlue();
        String app = a.app(), blue = a.blue(), green = a.green(), third = a.third(), host = a.host();
        SwitchFrontend toGreen = switchTo(app, host, green, blue);
        EtcdAccess etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(5));
        // a view that missed everything after this read: it shows the frontend routing to blue
        EtcdAccess.RawRead before = etcd.readConfig();
        try (EtcdLbStore stale = new EtcdLbStore(etcd, (keys, prefixes, atLeast) -> Optional.of(before))) {
            store.apply(toGreen);

            var staleToThird = stale.apply(switchTo(app, host, third, blue));
            var redelivered = stale.apply(toGreen);

            assertThat(staleToThird.outcome().outcome()).isEqualTo(Outcome.REJECTED);
            assertThat(staleToThird.outcome().reason()).contains("stale switch").contains("routes to " + green);
            assertThat(redelivered.firstTime()).isFalse();
            assertThat(redelivered.outcome().outcome()).isEqualTo(Outcome.APPLIED);
        }
        assertThat(store.read().model().frontend(HostName.of(host)).orElseThrow().backendId()).isEqualTo(green);
    }

    @Test
    void theWatchedViewShowsEveryWriteAtTheRevisionOfTheTransactionThatMadeIt() throws Exception {
        String app = app();
        String id = "default-" + app + "-1";
        String server = "/proxy/backends/" + id + "/pod-a";
        String options = "/bgdeploy/lb/config/backends/" + id;
        var applied = store.apply(upsert(app, id, new ServerSpec("pod-a", "10.1.0.1", 8080)));
        long revision = applied.outcome().revision();

        EtcdAccess.RawRead seen = view.read(List.of(options), List.of("/proxy/backends/" + id + "/"), revision).orElseThrow();
        EtcdAccess.RawRead fromEtcd;
        try (EtcdAccess etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(5))) {
            fromEtcd = etcd.read(List.of(options), List.of("/proxy/backends/" + id + "/"));
        }

        assertThat(seen.revision()).isGreaterThanOrEqualTo(revision);
        assertThat(seen.generationModRevision()).isEqualTo(fromEtcd.generationModRevision());
        assertThat(seen.entries()).containsOnlyKeys(server, options);
        assertThat(new String(seen.entries().get(server), StandardCharsets.UTF_8))
                .isEqualTo(new String(fromEtcd.entries().get(server), StandardCharsets.UTF_8));

        // written by another tool, without the generation key: seen once the watch delivers it
        long deleted = raw.getKVClient().delete(ByteSequence.from(server, StandardCharsets.UTF_8)).get()
                .getHeader().getRevision();
        assertThat(view.read(List.of(options), List.of("/proxy/backends/" + id + "/"), deleted).orElseThrow().entries())
                .containsOnlyKeys(options);
        // a revision the view cannot reach within its catch-up time: the caller reads etcd
        assertThat(view.read(List.of(options), List.of(), deleted + 1_000_000)).isEmpty();
    }
}
