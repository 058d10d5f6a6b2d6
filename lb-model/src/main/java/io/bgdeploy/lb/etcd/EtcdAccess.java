package io.bgdeploy.lb.etcd;

import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd connection of a load-balancer process and the reads both sides make: the whole
 * configuration at one revision, and the agents with the revision each one serves. Every call
 * waits at most the timeout and throws {@link EtcdUnavailableException} when etcd does not answer.
 */
public final class EtcdAccess implements AutoCloseable {

    private final Client client;
    private final Duration timeout;

    public EtcdAccess(Client client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * A client whose calls are sent from the calling thread. jetcd hands each call to its executor
     * before sending it (the executor runs its retries); its default, a thread pool, adds a thread
     * hand-off to every round trip, which on a busy machine is a scheduling delay in the tail of
     * each switch. Sending a call is not blocking (gRPC queues it on its event loop), so a direct
     * executor costs the caller nothing; a retry after a delay runs on Failsafe's own timer thread.
     */
    public static EtcdAccess connect(List<String> endpoints, Duration timeout) {
        return new EtcdAccess(Client.builder().endpoints(endpoints.toArray(String[]::new))
                .executorService(MoreExecutors.newDirectExecutorService())
                .connectTimeout(timeout).build(), timeout);
    }

    public Client client() {
        return client;
    }

    /** The raw entries under {@link EtcdLayout#PROXY} and {@link EtcdLayout#CONFIG} at one revision. */
    public record RawRead(long revision, Map<String, byte[]> entries, long generationModRevision) {
    }

    /**
     * The agents: those expected to serve (kept until an operator removes one), those live now
     * (their keys vanish with their lease), and the revision each live one serves; each by the id
     * its key names. {@code problems} names the entries a whole read left out ({@link AgentEntries}), with
     * the reason.
     */
    public record AgentStates(long revision, Map<String, AgentRegistration> agents, Map<String, AgentProgress> progress,
                              Map<String, ExpectedAgent> expected, List<String> problems) {

        public AgentStates(long revision, Map<String, AgentRegistration> agents, Map<String, AgentProgress> progress,
                           Map<String, ExpectedAgent> expected) {
            this(revision, agents, progress, expected, List.of());
        }
    }

    /** Everything under {@link EtcdLayout#PROXY} and {@link EtcdLayout#CONFIG} at one revision. */
    public RawRead readConfig() {
        return read(List.of(), List.of(EtcdLayout.PROXY, EtcdLayout.CONFIG));
    }

    /**
     * The given keys and everything under the given prefixes, at one revision, with the generation
     * key's mod revision (the guard of every command's transaction) whether it was asked for or not.
     */
    public RawRead read(List<String> keys, List<String> prefixes) {
        List<Op> gets = new ArrayList<>();
        gets.add(Op.get(bytes(EtcdLayout.GENERATION), GetOption.DEFAULT));
        keys.forEach(k -> gets.add(Op.get(bytes(k), GetOption.DEFAULT)));
        prefixes.forEach(p -> gets.add(Op.get(bytes(p), prefix())));
        TxnResponse r = await(client.getKVClient().txn().Then(gets.toArray(Op[]::new)).commit());
        Map<String, byte[]> entries = new TreeMap<>();
        long generation = 0;
        for (GetResponse get : r.getGetResponses()) {
            for (KeyValue kv : get.getKvs()) {
                String key = string(kv.getKey());
                if (key.equals(EtcdLayout.GENERATION)) {
                    generation = kv.getModRevision();
                } else {
                    entries.put(key, kv.getValue().getBytes());
                }
            }
        }
        return new RawRead(r.getHeader().getRevision(), entries, generation);
    }

    /** The agents' entries at one revision, read by {@link AgentEntries}' rule; what it leaves out is in {@code problems}. */
    public AgentStates agentStates() {
        TxnResponse r = await(client.getKVClient().txn()
                .Then(Op.get(bytes(EtcdLayout.AGENTS), prefix()), Op.get(bytes(EtcdLayout.APPLIED), prefix()),
                        Op.get(bytes(EtcdLayout.EXPECTED), prefix()))
                .commit());
        AgentEntries entries = new AgentEntries();
        List<String> problems = new ArrayList<>();
        for (GetResponse get : r.getGetResponses()) {
            for (KeyValue kv : get.getKvs()) {
                entries.take(string(kv.getKey()), kv.getValue().getBytes(), kv.getModRevision()).ifPresent(problems::add);
            }
        }
        return entries.states(r.getHeader().getRevision(), problems);
    }

    /** True when etcd answers a read within the timeout (at most 2 s). */
    public boolean reachable() {
        try {
            client.getKVClient().get(bytes(EtcdLayout.GENERATION)).get(Math.min(2000, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** The result of an etcd call, waited for at most the timeout. */
    public <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdUnavailableException("interrupted while waiting for etcd", e);
        } catch (ExecutionException e) {
            throw new EtcdUnavailableException("etcd request failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new EtcdUnavailableException("etcd did not answer within " + timeout.toMillis() + " ms", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    public static GetOption prefix() {
        return GetOption.builder().isPrefix(true).build();
    }

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    public static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    public static ByteSequence json(Object value) {
        return ByteSequence.from(StoredJson.write(value));
    }
}
