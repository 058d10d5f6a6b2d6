package io.bgdeploy.lbconfig.store;

import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.lbconfig.store.StoredJson.AgentProgress;
import io.bgdeploy.lbconfig.store.StoredJson.AgentRegistration;
import io.bgdeploy.lbconfig.store.StoredJson.CommandOutcome;
import io.bgdeploy.lbconfig.store.StoredJson.Outcome;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load-balancer configuration in etcd (layout: {@link EtcdLayout}). Reads see one revision;
 * every command is one transaction guarded by the generation key, so two instances applying
 * commands at the same time cannot interleave: the loser re-reads and decides again.
 */
public final class EtcdLbStore implements AutoCloseable {

    private static final int MAX_ATTEMPTS = 20;

    private final Client client;
    private final Duration timeout;

    public EtcdLbStore(Client client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    public static EtcdLbStore connect(List<String> endpoints, Duration timeout) {
        return new EtcdLbStore(Client.builder().endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(timeout).build(), timeout);
    }

    /** The result of applying a command; {@code firstTime} is false when its outcome was already stored. */
    public record ApplyResult(CommandOutcome outcome, boolean firstTime) {
    }

    /** The raw entries of the watched prefixes at one revision. */
    record RawRead(long revision, Map<String, byte[]> entries, long generationModRevision) {
    }

    public Snapshot read() {
        RawRead raw = readRaw();
        return SnapshotDecoder.decode(raw.revision(), raw.entries());
    }

    RawRead readRaw() {
        TxnResponse r = await(client.getKVClient().txn()
                .Then(Op.get(bytes(EtcdLayout.PROXY), prefix(EtcdLayout.PROXY)),
                        Op.get(bytes(EtcdLayout.CONFIG), prefix(EtcdLayout.CONFIG)))
                .commit());
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

    /**
     * Applies a command as one transaction, or rejects it; stores the outcome under the command id
     * in the same transaction, so a redelivered command is answered from there and changes nothing.
     */
    public ApplyResult apply(LbCommand command) {
        String commandKey = EtcdLayout.command(command.commandId());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<CommandOutcome> known = outcome(command.commandId());
            if (known.isPresent()) {
                return new ApplyResult(known.get(), false);
            }
            RawRead raw = readRaw();
            Snapshot snapshot = SnapshotDecoder.decode(raw.revision(), raw.entries());
            CommandPlan plan = CommandPlanner.plan(snapshot.model(), raw.entries().keySet(), command);
            if (plan instanceof CommandPlan.Reject reject) {
                CommandOutcome outcome = new CommandOutcome(command.commandId(), Outcome.REJECTED, raw.revision(),
                        reject.reason(), false, Instant.now());
                TxnResponse r = await(client.getKVClient().txn()
                        .If(new Cmp(bytes(commandKey), Cmp.Op.EQUAL, CmpTarget.version(0)),
                                new Cmp(bytes(EtcdLayout.GENERATION), Cmp.Op.EQUAL, CmpTarget.modRevision(raw.generationModRevision())))
                        .Then(Op.put(bytes(commandKey), json(outcome), PutOption.DEFAULT))
                        .commit());
                if (r.isSucceeded()) {
                    return new ApplyResult(outcome, true);
                }
                continue;
            }
            CommandPlan.Write write = (CommandPlan.Write) plan;
            List<Op> ops = new ArrayList<>();
            write.deletePrefixes().forEach(p -> ops.add(Op.delete(bytes(p), DeleteOption.builder().isPrefix(true).build())));
            write.deletes().forEach(k -> ops.add(Op.delete(bytes(k), DeleteOption.DEFAULT)));
            write.puts().forEach((k, v) -> ops.add(Op.put(bytes(k), ByteSequence.from(v), PutOption.DEFAULT)));
            ops.add(Op.put(bytes(EtcdLayout.GENERATION), bytes(command.commandId()), PutOption.DEFAULT));
            CommandOutcome pending = new CommandOutcome(command.commandId(), Outcome.APPLIED, 0, null, false, Instant.now());
            ops.add(Op.put(bytes(commandKey), json(pending), PutOption.DEFAULT));
            TxnResponse r = await(client.getKVClient().txn()
                    .If(new Cmp(bytes(commandKey), Cmp.Op.EQUAL, CmpTarget.version(0)),
                            new Cmp(bytes(EtcdLayout.GENERATION), Cmp.Op.EQUAL, CmpTarget.modRevision(raw.generationModRevision())))
                    .Then(ops.toArray(Op[]::new))
                    .commit());
            if (r.isSucceeded()) {
                long revision = r.getHeader().getRevision();
                return new ApplyResult(new CommandOutcome(command.commandId(), Outcome.APPLIED, revision, null, false,
                        pending.at()), true);
            }
        }
        throw new IllegalStateException("command " + command.commandId() + " lost the race for etcd "
                + MAX_ATTEMPTS + " times in a row: too many concurrent writers");
    }

    /** The stored outcome of a command; an applied command's revision is that of its transaction. */
    public Optional<CommandOutcome> outcome(String commandId) {
        GetResponse r = await(client.getKVClient().get(bytes(EtcdLayout.command(commandId))));
        if (r.getKvs().isEmpty()) {
            return Optional.empty();
        }
        KeyValue kv = r.getKvs().get(0);
        CommandOutcome stored = StoredJson.read(kv.getValue().getBytes(), CommandOutcome.class);
        if (stored.outcome() == Outcome.APPLIED && stored.revision() == 0) {
            stored = new CommandOutcome(stored.commandId(), stored.outcome(), kv.getCreateRevision(), stored.reason(),
                    stored.answered(), stored.at());
        }
        return Optional.of(stored);
    }

    /** Records that the command's answer is on lb-events, so a redelivery does not answer twice. */
    public void markAnswered(CommandOutcome outcome) {
        await(client.getKVClient().put(bytes(EtcdLayout.command(outcome.commandId())), json(outcome.markAnswered())));
    }

    /** Live agents (their keys vanish with their lease) and the revision each one serves. */
    public record AgentStates(long revision, Map<String, AgentRegistration> agents, Map<String, AgentProgress> progress) {
    }

    public AgentStates agentStates() {
        TxnResponse r = await(client.getKVClient().txn()
                .Then(Op.get(bytes(EtcdLayout.AGENTS), prefix(EtcdLayout.AGENTS)),
                        Op.get(bytes(EtcdLayout.APPLIED), prefix(EtcdLayout.APPLIED)))
                .commit());
        Map<String, AgentRegistration> agents = new TreeMap<>();
        Map<String, AgentProgress> progress = new TreeMap<>();
        for (KeyValue kv : r.getGetResponses().get(0).getKvs()) {
            AgentRegistration a = StoredJson.read(kv.getValue().getBytes(), AgentRegistration.class);
            agents.put(a.agentId(), a);
        }
        for (KeyValue kv : r.getGetResponses().get(1).getKvs()) {
            AgentProgress p = StoredJson.read(kv.getValue().getBytes(), AgentProgress.class);
            progress.put(p.agentId(), p);
        }
        return new AgentStates(r.getHeader().getRevision(), agents, progress);
    }

    /** Grants a lease, keeps it alive, and registers the agent under it; returns the lease id. */
    public long register(AgentRegistration agent, Duration ttl, StreamObserver<LeaseKeepAliveResponse> keepAlive,
                         List<CloseableClient> keepers) {
        long lease = await(client.getLeaseClient().grant(Math.max(2, ttl.toSeconds()))).getID();
        keepers.add(client.getLeaseClient().keepAlive(lease, keepAlive));
        await(client.getKVClient().put(bytes(EtcdLayout.agent(agent.agentId())), json(agent),
                PutOption.builder().withLeaseId(lease).build()));
        return lease;
    }

    public void reportProgress(long lease, AgentProgress progress) {
        await(client.getKVClient().put(bytes(EtcdLayout.applied(progress.agentId())), json(progress),
                PutOption.builder().withLeaseId(lease).build()));
    }

    public void revoke(long lease) {
        await(client.getLeaseClient().revoke(lease));
    }

    /** Watches a prefix from a revision on (inclusive). */
    public Watch.Watcher watch(String prefix, long fromRevision, Watch.Listener listener) {
        return client.getWatchClient().watch(bytes(prefix),
                WatchOption.builder().isPrefix(true).withRevision(fromRevision).withProgressNotify(true).build(), listener);
    }

    /** True when etcd answers a read within the timeout. */
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

    @Override
    public void close() {
        client.close();
    }

    private <T> T await(CompletableFuture<T> future) {
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

    private static GetOption prefix(String key) {
        return GetOption.builder().isPrefix(true).build();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private static ByteSequence json(Object value) {
        return ByteSequence.from(StoredJson.write(value));
    }

}
