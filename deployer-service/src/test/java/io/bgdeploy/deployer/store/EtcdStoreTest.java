package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.Ids;
import io.bgdeploy.deployer.model.LogLine;
import io.bgdeploy.deployer.model.LogTail;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.testing.SharedInfra;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The deployer's store against a real etcd. */
class EtcdStoreTest {

    private final Client client = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build();
    private final EtcdStore store = new EtcdStore(client);

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theIndexOfUnfinishedDeploymentsFollowsTheirStatus() throws Exception {
        String ns = "idx-" + UUID.randomUUID().toString().substring(0, 8);
        Descriptor descriptor = EventCodec.read(("{\"namespace\": \"" + ns + "\", \"appName\": \"shop\", \"newVersion\": \"1\","
                + " \"podspec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx\"}]}}").getBytes(), Descriptor.class);
        Instant now = Instant.now();
        Deployment d = new Deployment(Ids.newId(now), now, now, ns, "shop", "1", DeploymentStatus.DEPLOYING,
                DeploymentPhase.PREPARING, "test", null, null, null, null, descriptor, null);

        store.save(d);
        assertThat(store.unfinished()).containsEntry(d.id(), ns + "/shop");

        store.save(d.withStatus(DeploymentStatus.DEPLOYED, null));
        assertThat(store.unfinished()).doesNotContainKey(d.id());
        assertThat(store.find(ns, d.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.DEPLOYED);

        store.save(d.withStatus(DeploymentStatus.UNDEPLOYING, null));
        assertThat(store.unfinished()).containsEntry(d.id(), ns + "/shop");
        store.appendLog(ns, d.id(), "a line");
        store.saveHealth(ns, d.id(), new PodHealthRecord("shop-1-p0", PodHealthState.READY, null, now));
        long before = revision();
        assertThat(store.delete(ns, d.id())).isTrue();
        assertThat(revision()).as("record, index entries, log and health leave in one transaction").isEqualTo(before + 1);
        assertThat(store.unfinished()).doesNotContainKey(d.id());
        assertThat(store.find(ns, d.id())).isEmpty();
        assertThat(store.list(ns, "shop")).isEmpty();
        assertThat(store.logLines(ns, d.id())).as("the log leaves with the deployment").isEmpty();
        assertThat(store.health(ns, d.id())).isEmpty();
        assertThat(store.delete(ns, d.id())).as("nothing left to delete").isFalse();
    }

    private long revision() throws Exception {
        return revisionOf(client);
    }

    @Test
    void listingAnAppReadsOnlyTheDeploymentsWrittenSinceItsLastListingWhoeverWroteThem() {
        String ns = "dec-" + UUID.randomUUID().toString().substring(0, 8);
        List<Deployment> saved = new ArrayList<>();
        for (int v = 1; v <= 10; v++) {
            saved.add(deployment(ns, "shop", String.valueOf(v), DeploymentStatus.UNDEPLOYED));
            store.save(saved.get(v - 1));
        }
        assertThat(store.list(ns, "shop")).containsExactlyElementsOf(saved);
        long read = store.deploymentsRead();

        assertThat(store.list(ns, "shop")).containsExactlyElementsOf(saved);
        assertThat(store.deploymentsRead() - read).as("nothing changed").isZero();

        try (Client otherClient = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build()) {
            EtcdStore otherInstance = new EtcdStore(otherClient);
            Deployment failed = saved.get(3).withStatus(DeploymentStatus.FAILURE, "by another instance");
            otherInstance.save(failed);
            saved.set(3, failed);
            Deployment added = deployment(ns, "shop", "11", DeploymentStatus.DEPLOYING);
            otherInstance.save(added);
            saved.add(added);
            otherInstance.delete(ns, saved.remove(0).id());
        }
        assertThat(store.list(ns, "shop")).as("another instance's changes, in accept order").containsExactlyElementsOf(saved);
        assertThat(store.deploymentsRead() - read).as("the changed and the new one").isEqualTo(2);
    }

    @Test
    void aListingAfterThisStoresOwnSavesReadsNoneOfThemBack() {
        String ns = "own-" + UUID.randomUUID().toString().substring(0, 8);
        long read = store.deploymentsRead();
        List<Deployment> saved = new ArrayList<>();
        for (int v = 1; v <= 3; v++) {
            saved.add(deployment(ns, "shop", String.valueOf(v), DeploymentStatus.DEPLOYING));
            store.save(saved.get(v - 1));
        }
        Deployment finished = saved.get(0).withStatus(DeploymentStatus.DEPLOYED, null);
        store.save(finished);
        saved.set(0, finished);

        assertThat(store.list(ns, "shop")).as("in accept order, the update in its first place").containsExactlyElementsOf(saved);
        assertThat(store.deploymentsRead() - read).as("each record as this store wrote it").isZero();
        try (Client otherClient = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build()) {
            EtcdStore otherInstance = new EtcdStore(otherClient);
            assertThat(otherInstance.list(ns, "shop")).as("what etcd holds").containsExactlyElementsOf(saved);
            assertThat(otherInstance.deploymentsRead()).isEqualTo(3);
        }
    }

    @Test
    void deploymentsSavedTogetherAreWrittenAndRememberedEachAsASaveWouldHave() {
        String ns = "all-" + UUID.randomUUID().toString().substring(0, 8);
        Deployment blue = deployment(ns, "shop", "1", DeploymentStatus.DEPLOYED);
        store.save(blue);
        Deployment green = deployment(ns, "shop", "2", DeploymentStatus.DEPLOYING);
        store.save(green);
        // one with an unfinished entry to remove, one with none: the records' puts are told apart
        Deployment left = deployment(ns, "shop", "3", DeploymentStatus.DEPLOYED);
        store.save(left);
        long read = store.deploymentsRead();

        List<Deployment> ended = List.of(green.withStatus(DeploymentStatus.DEPLOYED, null),
                blue.withStatus(DeploymentStatus.UNDEPLOYED, "replaced by version 2"),
                left.withStatus(DeploymentStatus.UNDEPLOYED, "replaced by version 2"));
        store.saveAll(ended);

        List<Deployment> inAcceptOrder = List.of(ended.get(1), ended.get(0), ended.get(2));
        assertThat(store.list(ns, "shop")).containsExactlyElementsOf(inAcceptOrder);
        assertThat(store.deploymentsRead() - read).as("each record as this store wrote it").isZero();
        assertThat(store.unfinished()).doesNotContainKey(green.id());
        try (Client otherClient = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build()) {
            assertThat(new EtcdStore(otherClient).list(ns, "shop")).as("what etcd holds").containsExactlyElementsOf(inAcceptOrder);
        }
    }

    static Deployment deployment(String ns, String app, String version, DeploymentStatus status) {
        try {
            Descriptor descriptor = EventCodec.read(("{\"namespace\": \"" + ns + "\", \"appName\": \"" + app
                    + "\", \"newVersion\": \"" + version + "\", \"podspec\": {\"containers\": [{\"name\": \"web\","
                    + " \"image\": \"nginx\"}]}}").getBytes(), Descriptor.class);
            Instant now = Instant.now();
            return new Deployment(Ids.newId(now), now, now, ns, app, version, status, DeploymentPhase.PREPARING, "test",
                    null, null, null, null, descriptor, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anAppsDeploymentsAreListedThroughItsIndexOldestFirstInBatches() {
        String ns = "apps-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.List<String> big = new java.util.ArrayList<>();
        for (int i = 1; i <= 130; i++) {
            Deployment d = deployment(ns, "big", String.valueOf(i), DeploymentStatus.DEPLOYED);
            store.save(d);
            big.add(d.id());
            if (i % 26 == 0) {
                store.save(deployment(ns, "other", String.valueOf(i), DeploymentStatus.DEPLOYED));
            }
        }

        assertThat(store.list(ns, "big")).extracting(Deployment::id).containsExactlyElementsOf(big);
        assertThat(store.list(ns, "other")).hasSize(5).allMatch(d -> d.appName().equals("other"));
        assertThat(store.list(ns, null)).hasSize(135);
        assertThat(store.list(ns, "none")).isEmpty();

        store.delete(ns, big.get(0));
        assertThat(store.list(ns, "big")).extracting(Deployment::id).containsExactlyElementsOf(big.subList(1, 130));
    }

    @Test
    void deploymentsAreListedInTheOrderTheyWereAcceptedWhateverTheirIdsAndTimes() {
        String ns = "order-" + UUID.randomUUID().toString().substring(0, 8);
        Instant sameMillisecond = Instant.now();
        List<String> saved = new ArrayList<>();
        for (String suffix : List.of("ffffffff", "0000000a", "80000000", "00000001")) {
            Deployment d = deployment(ns, "app", String.valueOf(saved.size() + 1), DeploymentStatus.DEPLOYING);
            Deployment tied = new Deployment(Long.toString(sameMillisecond.toEpochMilli(), 36) + "-" + suffix,
                    sameMillisecond, sameMillisecond, ns, "app", d.version(), d.status(), d.phase(), "test", null, null,
                    null, null, d.descriptor(), null);
            store.save(tied);
            saved.add(tied.id());
        }
        store.save(store.find(ns, saved.get(0)).orElseThrow().withStatus(DeploymentStatus.DEPLOYED, null));

        assertThat(store.list(ns, "app")).extracting(Deployment::id).containsExactlyElementsOf(saved);
        assertThat(store.list(ns, null)).extracting(Deployment::id).containsExactlyElementsOf(saved);
        assertThat(store.listAll()).extracting(Deployment::id).containsSubsequence(saved);
    }

    @Test
    void deploymentsRecordedWithoutIndexesAreIndexedOnce() throws Exception {
        String ns = "old-" + UUID.randomUUID().toString().substring(0, 8);
        Deployment running = deployment(ns, "legacy", "2", DeploymentStatus.DEPLOYING);
        Deployment done = deployment(ns, "legacy", "1", DeploymentStatus.DEPLOYED);
        for (Deployment d : java.util.List.of(done, running)) { // as an older deployer wrote them: no index entries
            client.getKVClient().put(bytes(EtcdStore.PREFIX + "deployments/" + ns + "/" + d.id()),
                    ByteSequence.from(EventCodec.mapper().writeValueAsBytes(d))).get();
        }
        client.getKVClient().delete(bytes(EtcdStore.PREFIX + "index-version")).get();
        assertThat(store.list(ns, "legacy")).isEmpty();

        assertThat(store.indexOlderDeployments()).isGreaterThanOrEqualTo(2);

        assertThat(store.list(ns, "legacy")).extracting(Deployment::id).containsExactlyInAnyOrder(done.id(), running.id());
        assertThat(store.unfinished()).containsEntry(running.id(), ns + "/legacy").doesNotContainKey(done.id());
        assertThat(store.indexOlderDeployments()).as("done once").isZero();
        long read = store.deploymentsRead();
        assertThat(store.list(ns, "legacy")).hasSize(2);
        assertThat(store.deploymentsRead() - read).as("read once since indexed, then taken as decoded").isZero();
    }

    @Test
    void indexEntriesOfTheFirstIndexVersionGetTheirRecordsDigest() throws Exception {
        String ns = "v1-" + UUID.randomUUID().toString().substring(0, 8);
        Deployment done = deployment(ns, "legacy", "1", DeploymentStatus.DEPLOYED);
        store.save(done);
        // as the first index version wrote it: an empty entry
        client.getKVClient().put(bytes(EtcdStore.PREFIX + "byapp/" + ns + "/legacy/" + done.id()), ByteSequence.EMPTY).get();
        client.getKVClient().put(bytes(EtcdStore.PREFIX + "index-version"), bytes("1")).get();
        store.list(ns, "legacy");
        long read = store.deploymentsRead();
        store.list(ns, "legacy");
        assertThat(store.deploymentsRead() - read).as("an empty entry matches no record: read every time").isEqualTo(1);

        assertThat(store.indexOlderDeployments()).isGreaterThanOrEqualTo(1);

        store.list(ns, "legacy");
        read = store.deploymentsRead();
        assertThat(store.list(ns, "legacy")).containsExactly(done);
        assertThat(store.deploymentsRead() - read).as("taken as decoded").isZero();
    }

    @Test
    void aRecordWithFieldsOfALaterVersionIsReadAsFarAsThisVersionKnowsIt() throws Exception {
        String ns = "later-" + UUID.randomUUID().toString().substring(0, 8);
        Deployment d = deployment(ns, "shop", "1", DeploymentStatus.DEPLOYED);
        store.save(d);
        // what an instance of the next version would write: the same record with fields added since
        ByteSequence key = bytes(EtcdStore.PREFIX + "deployments/" + ns + "/" + d.id());
        var record = (com.fasterxml.jackson.databind.node.ObjectNode) EventCodec.mapper().readTree(
                client.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue().getBytes());
        record.put("addedLater", "a value this version has no field for");
        ((com.fasterxml.jackson.databind.node.ObjectNode) record.get("descriptor")).putObject("alsoAddedLater").put("x", 1);
        client.getKVClient().put(key, ByteSequence.from(EventCodec.mapper().writeValueAsBytes(record))).get(10, TimeUnit.SECONDS);

        EtcdStore previousVersion = new EtcdStore(client);
        assertThat(previousVersion.find(ns, d.id())).contains(d);
        assertThat(previousVersion.list(ns, "shop")).containsExactly(d);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void logLinesOfTwoStoresOfOneDeploymentAreAllKeptInOrder() {
        String ns = "log-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Ids.newId(Instant.now());
        Client other = Client.builder().endpoints(SharedInfra.etcd().endpoint()).build();
        try {
            EtcdStore second = new EtcdStore(other);
            for (int i = 0; i < 20; i++) {
                store.appendLog(ns, id, "a" + i);
                second.appendLog(ns, id, "b" + i);
            }
            second.awaitLogWrites(); // its lines are written without waiting: they go before its client closes
        } finally {
            other.close();
        }
        assertThat(store.logs(ns, id)).hasSize(40)
                .containsSubsequence("a0", "a1", "a19").containsSubsequence("b0", "b1", "b19");
    }

    @Test
    void aLineConfirmedAfterLaterOnesIsReadInItsPlaceAndFollowedOnce() throws Exception {
        String ns = "tail-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Ids.newId(Instant.now());
        store.appendLog(ns, id, "first");
        store.appendLog(ns, id, "third");
        LogTail tail = new LogTail();
        List<LogLine> read = store.logLines(ns, id);
        assertThat(tail.unsent(read)).extracting(LogLine::text).containsExactly("first", "third");

        // a second writer's line, written before "third" but confirmed only now
        String between = read.get(0).key() + "-late";
        assertThat(between).isGreaterThan(read.get(0).key()).isLessThan(read.get(1).key());
        client.getKVClient().put(bytes(EtcdStore.PREFIX + "logs/" + ns + "/" + id + "/" + between), bytes("second"))
                .get(10, TimeUnit.SECONDS);

        List<LogLine> again = store.logLines(ns, id);
        assertThat(again).extracting(LogLine::text).containsExactly("first", "second", "third");
        assertThat(tail.unsent(again)).as("sent once, none skipped").extracting(LogLine::text).containsExactly("second");
        assertThat(tail.unsent(store.logLines(ns, id))).isEmpty();
    }

    /**
     * etcd restored from a backup writes the revisions after the backup's anew: a deployment saved
     * again after the restore at a revision it had been saved at before is another write, and
     * listing the app shows that one, not the one the store read before the restore.
     */
    @Test
    void afterEtcdIsRestoredFromABackupAListingShowsWhatEtcdHasNow() throws Exception {
        Path dir = SharedInfra.workDir("deployer-store-restored");
        try (EtcdServer server = EtcdServer.start(dir);
             Client own = Client.builder().endpoints(server.endpoint()).build()) {
            EtcdStore restored = new EtcdStore(own);
            String ns = "restore";
            Deployment d = deployment(ns, "shop", "1", DeploymentStatus.DEPLOYING);
            restored.save(d);
            server.backUpTo(dir.resolve("backup"));
            restored.save(d.withStatus(DeploymentStatus.DEPLOYED, null));
            long deployedAt = revisionOf(own);
            assertThat(restored.list(ns, "shop")).extracting(Deployment::status).containsExactly(DeploymentStatus.DEPLOYED);

            server.restoreFrom(dir.resolve("backup"));
            // writes of keys outside the store until the next one is the revision of the DEPLOYED save
            while (revisionOf(own) < deployedAt - 1) {
                own.getKVClient().put(bytes("/restore-test/filler"), bytes("x")).get();
            }
            restored.save(d.withStatus(DeploymentStatus.FAILURE, "after the restore"));
            assertThat(revisionOf(own)).as("saved again at the revision of the save before the restore").isEqualTo(deployedAt);

            assertThat(restored.list(ns, "shop")).extracting(Deployment::status).containsExactly(DeploymentStatus.FAILURE);
        }
    }

    private static long revisionOf(Client client) throws Exception {
        return client.getKVClient().get(bytes(EtcdStore.PREFIX + "no-such-key")).get().getHeader().getRevision();
    }
}
