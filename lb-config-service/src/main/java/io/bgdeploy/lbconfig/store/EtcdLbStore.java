package io.bgdeploy.lbconfig.store;

import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdAccess.RawRead;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.SnapshotDecoder;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import io.bgdeploy.lb.model.Snapshot;
import io.bgdeploy.lbconfig.model.CommandPlan;
import io.bgdeploy.lbconfig.model.CommandPlanner;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.json;

/**
 * The load-balancer configuration in etcd (layout: {@link EtcdLayout}). Reads see one revision;
 * every command is one transaction guarded by the generation key, so two instances applying
 * commands at the same time cannot interleave: the loser re-reads and decides again. A command is
 * decided first on the configuration as a watch keeps it, so that its transaction is its only
 * round trip to etcd; the same guard makes that safe when the view was stale.
 */
public final class EtcdLbStore implements AutoCloseable {

    private static final int MAX_ATTEMPTS = 20;

    private final EtcdAccess etcd;
    private final ConfigView view;
    /** The revision of this instance's last transaction that changed the configuration. */
    private final AtomicLong lastWritten = new AtomicLong();

    /**
     * @param view the configuration as a watch keeps it ({@link WatchedConfig}): a command is decided
     *             on it first, and on a read from etcd when its transaction finds it stale
     */
    public EtcdLbStore(EtcdAccess etcd, ConfigView view) {
        this.etcd = etcd;
        this.view = view;
    }

    /** The result of applying a command; {@code firstTime} is false when its outcome was already stored. */
    public record ApplyResult(CommandOutcome outcome, boolean firstTime) {
    }

    public Snapshot read() {
        RawRead raw = etcd.readConfig();
        return SnapshotDecoder.decode(raw.revision(), raw.entries());
    }

    /**
     * Applies a command as one transaction, or rejects it; stores the outcome under the command id
     * in the same transaction, so a redelivered command is answered from there and changes nothing.
     */
    public ApplyResult apply(LbCommand command) {
        String commandKey = EtcdLayout.command(command.commandId());
        ConfigKeys read = readFor(command);
        ConfigKeys withOutcome = read.withKey(commandKey);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // first from the view, which has no command outcomes: a command seen before fails the
            // transaction's guard on its outcome key, and its outcome is found on the read from etcd
            RawRead raw = (attempt == 0 ? view.read(read.keys(), read.prefixes(), lastWritten.get()) : Optional.<RawRead>empty())
                    .orElseGet(() -> etcd.read(withOutcome.keys(), withOutcome.prefixes()));
            if (raw.entries().containsKey(commandKey)) {
                return new ApplyResult(outcome(command.commandId()).orElseThrow(), false);
            }
            Snapshot snapshot = SnapshotDecoder.decode(raw.revision(), raw.entries());
            CommandPlan plan = CommandPlanner.plan(snapshot.model(), raw.entries().keySet(), command);
            if (plan instanceof CommandPlan.Reject reject) {
                CommandOutcome outcome = new CommandOutcome(command.commandId(), Outcome.REJECTED, raw.revision(),
                        reject.reason(), false, Instant.now());
                TxnResponse r = etcd.await(etcd.client().getKVClient().txn()
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
            TxnResponse r = etcd.await(etcd.client().getKVClient().txn()
                    .If(new Cmp(bytes(commandKey), Cmp.Op.EQUAL, CmpTarget.version(0)),
                            new Cmp(bytes(EtcdLayout.GENERATION), Cmp.Op.EQUAL, CmpTarget.modRevision(raw.generationModRevision())))
                    .Then(ops.toArray(Op[]::new))
                    .commit());
            if (r.isSucceeded()) {
                long revision = r.getHeader().getRevision();
                lastWritten.accumulateAndGet(revision, Math::max);
                return new ApplyResult(new CommandOutcome(command.commandId(), Outcome.APPLIED, revision, null, false,
                        pending.at()), true);
            }
        }
        throw new IllegalStateException("command " + command.commandId() + " lost the race for etcd "
                + MAX_ATTEMPTS + " times in a row: too many concurrent writers");
    }

    /** Keys and prefixes of keys to read at one revision. */
    private record ConfigKeys(List<String> keys, List<String> prefixes) {
        ConfigKeys withKey(String key) {
            List<String> all = new ArrayList<>(keys);
            all.add(key);
            return new ConfigKeys(all, prefixes);
        }
    }

    /**
     * What a command is decided on: only the keys it can change or depends on, so that a command
     * costs the same with ten apps as with thousands. Removing a backend reads every frontend, to
     * refuse it while one still routes there. A switch that carries its backend reads what the
     * switch and the upsert read, which are the same keys.
     */
    private static ConfigKeys readFor(LbCommand command) {
        if (command instanceof UpsertBackend c) {
            return new ConfigKeys(List.of(EtcdLayout.configBackend(c.backend().id())),
                    List.of(EtcdLayout.proxyBackend(c.backend().id())));
        }
        if (command instanceof SwitchFrontend c) {
            return new ConfigKeys(List.of(EtcdLayout.proxyFrontend(c.frontend().host()),
                    EtcdLayout.configFrontend(c.frontend().host()), EtcdLayout.configBackend(c.backendId())),
                    List.of(EtcdLayout.proxyBackend(c.backendId())));
        }
        if (command instanceof RemoveBackend c) {
            return new ConfigKeys(List.of(EtcdLayout.configBackend(c.backendId())),
                    List.of(EtcdLayout.PROXY_FRONTENDS, EtcdLayout.proxyBackend(c.backendId())));
        }
        if (command instanceof RemoveFrontend c) {
            return new ConfigKeys(List.of(EtcdLayout.proxyFrontend(c.host()), EtcdLayout.configFrontend(c.host())),
                    List.of());
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getSimpleName());
    }

    /** The stored outcome of a command; an applied command's revision is that of its transaction. */
    public Optional<CommandOutcome> outcome(String commandId) {
        GetResponse r = etcd.await(etcd.client().getKVClient().get(bytes(EtcdLayout.command(commandId))));
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
        etcd.await(etcd.client().getKVClient().put(bytes(EtcdLayout.command(outcome.commandId())), json(outcome.markAnswered())));
    }

    /**
     * Forgets an agent that is not live: it is no longer waited for. False (and nothing changed)
     * when the agent is live, since a live agent is waited for anyway.
     */
    public boolean forgetAgent(String agentId) {
        TxnResponse r = etcd.await(etcd.client().getKVClient().txn()
                .If(new Cmp(bytes(EtcdLayout.agent(agentId)), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.delete(bytes(EtcdLayout.expected(agentId)), DeleteOption.DEFAULT),
                        Op.delete(bytes(EtcdLayout.applied(agentId)), DeleteOption.DEFAULT))
                .commit());
        return r.isSucceeded();
    }

    public AgentStates agentStates() {
        return etcd.agentStates();
    }

    public boolean reachable() {
        return etcd.reachable();
    }

    @Override
    public void close() {
        view.close();
        etcd.close();
    }
}
