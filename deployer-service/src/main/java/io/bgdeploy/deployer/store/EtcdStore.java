package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Ids;
import io.bgdeploy.deployer.model.LogLine;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.deployer.model.UndeployRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deployer's state in etcd, under {@code /bgdeploy/deployer/}:
 * {@code descriptors/<ns>/<id>}, {@code deployments/<ns>/<id>}, {@code logs/<ns>/<id>/<seq>} and
 * {@code health/<ns>/<id>/<pod>}, {@code rollback/<ns>/<id>}, {@code undeploy/<ns>/<id>} and the
 * indexes {@code byapp/<ns>/<app>/<id>} and {@code unfinished/<ns>/<id>}, JSON values. Deployments are
 * listed in the order they were accepted: by the etcd revision that created their key (the accept
 * transaction), which every instance sees alike and which no two deployments share. Container
 * environment comes from the reference's {@code /deployer/environment/<KEY>}.
 */
public final class EtcdStore implements DeploymentStore {

    public static final String PREFIX = "/bgdeploy/deployer/";
    public static final String ENVIRONMENT_PREFIX = "/deployer/environment/";
    private static final long TIMEOUT_SECONDS = 10;
    /** The indexes' version: 1 had empty app index entries, 2 the record's digest in each. */
    static final String INDEX_VERSION = "2";
    /** Reads per transaction when listing an app (etcd allows 128 operations in one). */
    private static final int BATCH = 100;

    private final Client client;
    private final KV kv;
    /** Past fields of a later version: a rolling upgrade runs two versions on one etcd. */
    private final ObjectMapper json = EventCodec.storedStateMapper();
    private final AtomicLong logSequence = new AtomicLong();
    private final String instanceTag = Long.toString(Math.abs(new java.security.SecureRandom().nextLong() % 1_679_616L), 36);
    private final PendingLogWrites logWrites = new PendingLogWrites(java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
    /**
     * What listings of an app decoded, by id: 50 apps with a full history (100 each), some 15 MB at
     * most, before it starts again.
     */
    private final DecodedDeployments decoded = new DecodedDeployments(5_000);
    private final AtomicLong deploymentsRead = new AtomicLong();

    public EtcdStore(Client client) {
        this.client = client;
        this.kv = client.getKVClient();
    }

    public Client client() {
        return client;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String key(String kind, String namespace, String id) {
        Names.requireNamespace(namespace);
        if (!Ids.isId(id)) {
            throw new IllegalArgumentException("'" + Names.printable(id) + "' is not an id");
        }
        return PREFIX + kind + "/" + namespace + "/" + id;
    }

    private void put(String key, Object value) {
        try {
            await(kv.put(bytes(key), ByteSequence.from(json.writeValueAsBytes(value))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<KeyValue> prefix(String prefix) {
        return await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY)
                .withSortOrder(GetOption.SortOrder.ASCEND).build())).getKvs();
    }

    private <T> Optional<T> getOne(String key, Class<T> type) {
        List<KeyValue> kvs = await(kv.get(bytes(key))).getKvs();
        return kvs.isEmpty() ? Optional.empty() : Optional.of(read(kvs.get(0), type));
    }

    private <T> T read(KeyValue kv, Class<T> type) {
        return read(kv.getValue().getBytes(), type, kv.getKey().toString(StandardCharsets.UTF_8));
    }

    private <T> T read(byte[] value, Class<T> type, String key) {
        try {
            return json.readValue(value, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable value at " + key, e);
        }
    }

    private boolean deleteKey(String key, boolean prefix) {
        return await(kv.delete(bytes(key), DeleteOption.builder().isPrefix(prefix).build())).getDeleted() > 0;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        return await(f, java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
    }

    /** The answer of an etcd request, or a {@link StoreException} saying why there is none within the timeout. */
    static <T> T await(java.util.concurrent.CompletableFuture<T> f, java.time.Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while talking to etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreException("etcd did not answer: " + e.getMessage(), e);
        }
    }

    @Override
    public void saveDescriptor(Descriptor descriptor) {
        put(key("descriptors", descriptor.namespace(), descriptor.id()), descriptor);
    }

    @Override
    public Optional<Descriptor> findDescriptor(String namespace, String id) {
        return Ids.isId(id) ? getOne(key("descriptors", namespace, id), Descriptor.class) : Optional.empty();
    }

    @Override
    public List<Descriptor> listDescriptors(String namespace, String appName) {
        Names.requireNamespace(namespace);
        List<Descriptor> result = new ArrayList<>();
        for (KeyValue kv : prefix(PREFIX + "descriptors/" + namespace + "/")) {
            Descriptor d = read(kv, Descriptor.class);
            if (appName == null || appName.equals(d.appName())) {
                result.add(d);
            }
        }
        return result;
    }

    @Override
    public boolean deleteDescriptor(String namespace, String id) {
        return Ids.isId(id) && deleteKey(key("descriptors", namespace, id), false);
    }

    /**
     * Writes the deployment and, in the same transaction, its entries in the indexes: by app
     * ({@code byapp/<ns>/<app>/<id>} = the record's digest, {@link DecodedDeployments#digest}) and of
     * unfinished deployments ({@code unfinished/<ns>/<id>} = app key; removed once it is final).
     * The record is remembered as written ({@link DecodedDeployments}): the app's next listing takes
     * it from there instead of reading it back, which a deployment's listings would otherwise do
     * after each of its saves.
     */
    @Override
    public void save(Deployment deployment) {
        Encoded encoded = encode(deployment);
        remember(encoded, await(kv.txn().Then(encoded.ops().toArray(Op[]::new)).commit()));
    }

    /**
     * A deployment as a save writes it: its record, the record's digest, and the operations that
     * write them ({@code puts} of them puts, the record's first).
     */
    record Encoded(Deployment deployment, byte[] record, String digest, List<Op> ops, int puts) {
    }

    /** The writes of a save ({@link #save}), for a transaction that makes them with others; the record's put first. */
    Encoded encode(Deployment deployment) {
        byte[] record;
        try {
            record = json.writeValueAsBytes(deployment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String digest = DecodedDeployments.digest(record);
        return new Encoded(deployment, record, digest, saveOps(deployment, record, digest), isUnfinished(deployment) ? 3 : 2);
    }

    /** Remembers a record as written by a transaction whose first put was {@code encoded}'s record. */
    void remember(Encoded encoded, TxnResponse written) {
        remember(encoded, written.getPutResponses().get(0), written.getHeader().getRevision());
    }

    /** One transaction for all: their records, index entries and the deletes of finished ones' unfinished entries. */
    @Override
    public void saveAll(List<Deployment> deployments) {
        List<Encoded> encoded = deployments.stream().map(this::encode).toList();
        TxnResponse written = await(kv.txn().Then(encoded.stream().flatMap(e -> e.ops().stream()).toArray(Op[]::new))
                .commit());
        int put = 0;
        for (Encoded e : encoded) {
            remember(e, written.getPutResponses().get(put), written.getHeader().getRevision());
            put += e.puts();
        }
    }

    private void remember(Encoded encoded, PutResponse recordPut, long revision) {
        Deployment deployment = encoded.deployment();
        // the record's previous version says when its key was created; none: this write created it
        long created = recordPut.hasPrevKv() ? recordPut.getPrevKv().getCreateRevision() : revision;
        // decoded from the bytes written, exactly as a listing would have read it
        decoded.remember(deployment.id(), new DecodedDeployments.Decoded(encoded.digest(), created,
                read(encoded.record(), Deployment.class, key("deployments", deployment.namespace(), deployment.id()))));
    }

    private List<Op> saveOps(Deployment deployment, byte[] record, String digest) {
        String ns = deployment.namespace();
        ByteSequence unfinishedKey = bytes(key("unfinished", ns, deployment.id()));
        boolean unfinished = isUnfinished(deployment);
        return List.of(
                Op.put(bytes(key("deployments", ns, deployment.id())), ByteSequence.from(record),
                        PutOption.builder().withPrevKV().build()),
                Op.put(bytes(appIndexKey(ns, deployment.appName(), deployment.id())), bytes(digest), PutOption.DEFAULT),
                unfinished ? Op.put(unfinishedKey, bytes(deployment.appKey()), PutOption.DEFAULT)
                        : Op.delete(unfinishedKey, DeleteOption.DEFAULT));
    }

    private static boolean isUnfinished(Deployment deployment) {
        return deployment.status() != null && !deployment.status().isFinal();
    }

    private static String appIndexPrefix(String namespace, String appName) {
        return PREFIX + "byapp/" + Names.requireNamespace(namespace) + "/" + Names.requireAppName(appName) + "/";
    }

    private static String appIndexKey(String namespace, String appName, String id) {
        return appIndexPrefix(namespace, appName) + id;
    }

    /**
     * Writes the index entries of deployments recorded before the indexes existed, or before their
     * entries held the record's digest (once per {@value #INDEX_VERSION}: a marker key says which was
     * written). Each deployment's entries are written only if it did not change since it was read,
     * so that an instance running it meanwhile is never contradicted; one that did change was
     * indexed by that write. Returns how many deployments were indexed here.
     */
    @Override
    public int indexOlderDeployments() {
        String marker = PREFIX + "index-version";
        List<KeyValue> written = await(kv.get(bytes(marker))).getKvs();
        if (!written.isEmpty() && written.get(0).getValue().toString(StandardCharsets.UTF_8).equals(INDEX_VERSION)) {
            return 0;
        }
        int n = 0;
        for (KeyValue stored : prefix(PREFIX + "deployments/")) {
            Deployment d = read(stored, Deployment.class);
            List<Op> ops = new ArrayList<>();
            ops.add(Op.put(bytes(appIndexKey(d.namespace(), d.appName(), d.id())),
                    bytes(DecodedDeployments.digest(stored.getValue().getBytes())), PutOption.DEFAULT));
            if (d.status() != null && !d.status().isFinal()) {
                ops.add(Op.put(bytes(key("unfinished", d.namespace(), d.id())), bytes(d.appKey()), PutOption.DEFAULT));
            }
            if (await(kv.txn().If(new Cmp(stored.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(stored.getModRevision())))
                    .Then(ops.toArray(Op[]::new)).commit()).isSucceeded()) {
                n++;
            }
        }
        await(kv.put(bytes(marker), bytes(INDEX_VERSION)));
        return n;
    }

    @Override
    public Map<String, String> unfinished() {
        Map<String, String> result = new LinkedHashMap<>();
        String prefix = PREFIX + "unfinished/";
        for (KeyValue kv : prefix(prefix)) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            result.put(key.substring(key.lastIndexOf('/') + 1), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return result;
    }

    @Override
    public Optional<Deployment> find(String namespace, String id) {
        return Ids.isId(id) ? getOne(key("deployments", namespace, id), Deployment.class) : Optional.empty();
    }

    /**
     * Of one app: the app's index (each entry its record's digest), then those of its deployments
     * whose record is not the one this store last read ({@link DecodedDeployments}), in batches of one
     * transaction each; in the order they were accepted (see {@link #inAcceptOrder}).
     */
    @Override
    public List<Deployment> list(String namespace, String appName) {
        Names.requireNamespace(namespace);
        if (appName == null) {
            return inAcceptOrder(prefix(PREFIX + "deployments/" + namespace + "/"));
        }
        return history(namespace, appName, await(kv.get(bytes(appIndexPrefix(namespace, appName)),
                GetOption.builder().isPrefix(true).build())).getKvs());
    }

    /** The read of an app's index, for a transaction that makes it with others ({@link #history}). */
    Op appIndexRead(String namespace, String appName) {
        return Op.get(bytes(appIndexPrefix(namespace, appName)), GetOption.builder().isPrefix(true).build());
    }

    /** The app's deployments in accept order, from its index as read ({@link #appIndexRead}): see {@link #list}. */
    List<Deployment> history(String namespace, String appName, List<KeyValue> index) {
        String indexPrefix = appIndexPrefix(namespace, appName);
        List<DecodedDeployments.Decoded> found = new ArrayList<>(index.size());
        List<String> changed = new ArrayList<>();
        for (KeyValue entry : index) {
            String id = entry.getKey().toString(StandardCharsets.UTF_8).substring(indexPrefix.length());
            decoded.at(id, entry.getValue().toString(StandardCharsets.UTF_8)).ifPresentOrElse(found::add, () -> changed.add(id));
        }
        for (int from = 0; from < changed.size(); from += BATCH) {
            List<Op> gets = new ArrayList<>();
            for (String id : changed.subList(from, Math.min(changed.size(), from + BATCH))) {
                gets.add(Op.get(bytes(key("deployments", namespace, id)), GetOption.DEFAULT));
            }
            for (var response : await(kv.txn().Then(gets.toArray(Op[]::new)).commit()).getGetResponses()) {
                for (KeyValue stored : response.getKvs()) {
                    Deployment d = read(stored, Deployment.class);
                    var fresh = new DecodedDeployments.Decoded(DecodedDeployments.digest(stored.getValue().getBytes()),
                            stored.getCreateRevision(), d);
                    decoded.remember(d.id(), fresh);
                    found.add(fresh);
                    deploymentsRead.incrementAndGet();
                }
            }
        }
        return found.stream().sorted(java.util.Comparator.comparingLong(DecodedDeployments.Decoded::createRevision))
                .map(DecodedDeployments.Decoded::deployment).toList();
    }

    /**
     * How many deployment records the listings of single apps read from etcd and decoded: those
     * written since this store last read them (the rest are taken as decoded before).
     */
    public long deploymentsRead() {
        return deploymentsRead.get();
    }

    @Override
    public List<Deployment> listAll() {
        return inAcceptOrder(prefix(PREFIX + "deployments/"));
    }

    /**
     * Deployments in the order they were accepted: by the revision of the transaction that created
     * their key. Ids and timestamps cannot give that order: two requests accepted within one
     * millisecond, or by instances whose clocks differ, would run in the wrong order.
     */
    private List<Deployment> inAcceptOrder(List<KeyValue> stored) {
        return stored.stream().sorted(java.util.Comparator.comparingLong(KeyValue::getCreateRevision))
                .map(kv -> read(kv, Deployment.class)).toList();
    }

    /**
     * Removes the deployment with its log, health, rollback and undeploy requests and index entries
     * in one transaction: a deployer stopped halfway leaves all of it or none (two round trips: the
     * record is read first for its app's index entry).
     */
    @Override
    public boolean delete(String namespace, String id) {
        if (!Ids.isId(id)) {
            return false;
        }
        List<Op> ops = new ArrayList<>();
        ops.add(Op.delete(bytes(key("logs", namespace, id) + "/"), DeleteOption.builder().isPrefix(true).build()));
        ops.add(Op.delete(bytes(key("health", namespace, id) + "/"), DeleteOption.builder().isPrefix(true).build()));
        for (String kind : List.of("rollback", "unfinished", "undeploy")) {
            ops.add(Op.delete(bytes(key(kind, namespace, id)), DeleteOption.DEFAULT));
        }
        find(namespace, id).ifPresent(d -> ops.add(Op.delete(bytes(appIndexKey(namespace, d.appName(), id)), DeleteOption.DEFAULT)));
        ops.add(Op.delete(bytes(key("deployments", namespace, id)), DeleteOption.DEFAULT));
        TxnResponse r = await(kv.txn().Then(ops.toArray(Op[]::new)).commit());
        decoded.forget(id);
        List<DeleteResponse> deleted = r.getDeleteResponses();
        return deleted.get(deleted.size() - 1).getDeleted() > 0;
    }

    @Override
    public void requestRollback(String namespace, String deploymentId, String by) {
        await(kv.put(bytes(key("rollback", namespace, deploymentId)), bytes(by)));
    }

    @Override
    public Optional<String> rollbackRequest(String namespace, String deploymentId) {
        List<KeyValue> kvs = await(kv.get(bytes(key("rollback", namespace, deploymentId)))).getKvs();
        return kvs.stream().findFirst().map(x -> x.getValue().toString(StandardCharsets.UTF_8));
    }

    @Override
    public void saveUndeployRequest(String namespace, String deploymentId, UndeployRequest request) {
        put(key("undeploy", namespace, deploymentId), request);
    }

    @Override
    public Optional<UndeployRequest> undeployRequest(String namespace, String deploymentId) {
        return getOne(key("undeploy", namespace, deploymentId), UndeployRequest.class);
    }

    /**
     * Written without waiting for etcd ({@link PendingLogWrites}): the key, taken now, keeps the
     * lines in order however their writes finish.
     */
    @Override
    public void appendLog(String namespace, String deploymentId, String line) {
        // time first (lines list in order), then this instance's sequence and tag (instances never collide)
        String seq = String.format("%013d-%09d-%s", System.currentTimeMillis(),
                logSequence.incrementAndGet() % 1_000_000_000L, instanceTag);
        String log = key("logs", namespace, deploymentId);
        logWrites.start(log, () -> kv.put(bytes(log + "/" + seq), bytes(line)));
    }

    /** Waits until etcd answered every log line this store wrote (before its client closes). */
    public void awaitLogWrites() {
        logWrites.awaitAll();
    }

    @Override
    public List<LogLine> logLines(String namespace, String deploymentId) {
        String log = key("logs", namespace, deploymentId);
        logWrites.awaitLog(log);
        List<LogLine> lines = new ArrayList<>();
        for (KeyValue kv : prefix(log + "/")) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8).substring(log.length() + 1);
            lines.add(new LogLine(key, kv.getValue().toString(StandardCharsets.UTF_8)));
        }
        return lines;
    }

    @Override
    public void saveHealth(String namespace, String deploymentId, PodHealthRecord record) {
        put(key("health", namespace, deploymentId) + "/" + record.pod(), record);
    }

    @Override
    public List<PodHealthRecord> health(String namespace, String deploymentId) {
        List<PodHealthRecord> result = new ArrayList<>();
        for (KeyValue kv : prefix(key("health", namespace, deploymentId) + "/")) {
            result.add(read(kv, PodHealthRecord.class));
        }
        return result;
    }

    @Override
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (KeyValue kv : prefix(ENVIRONMENT_PREFIX)) {
            String name = kv.getKey().toString(StandardCharsets.UTF_8).substring(ENVIRONMENT_PREFIX.length());
            if (Names.isEnvName(name)) {
                env.put(name, kv.getValue().toString(StandardCharsets.UTF_8));
            }
        }
        return env;
    }

    @Override
    public boolean reachable() {
        try {
            kv.get(bytes(PREFIX + "ping")).get(3, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** etcd could not be reached or answered with an error. */
    public static final class StoreException extends RuntimeException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
