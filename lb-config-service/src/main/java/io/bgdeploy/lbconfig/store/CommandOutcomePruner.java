package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import io.bgdeploy.lbconfig.model.OutcomeRetention;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;

/**
 * Forgets command outcomes ({@code /bgdeploy/lb/commands/<commandId>}) that the {@link OutcomeRetention}
 * no longer keeps; without it they would grow by two or three per deployment for as long as etcd
 * runs. Reads them a page at a time and deletes each page's old ones in one transaction, guarded by
 * each key's revision: an outcome written again meanwhile stays. Every instance prunes; a key
 * another instance deleted first is simply gone. An outcome without a time (written before outcomes
 * had one) is given the time of the pass that finds it, the same way, so that it is forgotten one
 * retention later instead of never.
 */
public final class CommandOutcomePruner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandOutcomePruner.class);
    /** Keys read per request, and so deleted per transaction at most (below etcd's default --max-txn-ops of 128). */
    static final int PAGE = 100;

    private final EtcdAccess etcd;
    private final OutcomeRetention retention;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "command-outcome-pruner");
        t.setDaemon(true);
        return t;
    });

    public CommandOutcomePruner(EtcdAccess etcd, OutcomeRetention retention, Clock clock) {
        this.etcd = etcd;
        this.retention = retention;
        this.clock = clock;
    }

    /** Prunes every {@code interval}, the first time one interval after the start. */
    public void start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("lbconfig.command-outcome-prune-interval must be positive, not " + interval);
        }
        timer.scheduleWithFixedDelay(this::pruneQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("command outcomes are kept for %s (commands older than that are not applied), pruned every %s",
                retention.keep(), interval);
    }

    private void pruneQuietly() {
        try {
            int forgotten = prune();
            if (forgotten > 0) {
                LOG.infof("%d command outcome(s) older than %s forgotten", forgotten, retention.keep());
            }
        } catch (RuntimeException e) {
            LOG.warnf("command outcomes were not pruned this time: %s", e.getMessage());
        }
    }

    /** One pass over every stored outcome; returns how many were deleted. */
    public int prune() {
        if (!retention.enabled()) {
            return 0;
        }
        Instant now = clock.instant();
        ByteSequence end = bytes(EtcdLayout.COMMANDS.substring(0, EtcdLayout.COMMANDS.length() - 1) + "0");
        ByteSequence from = bytes(EtcdLayout.COMMANDS);
        int forgotten = 0;
        while (true) {
            GetResponse page = etcd.await(etcd.client().getKVClient().get(from, GetOption.builder().withRange(end)
                    .withLimit(PAGE).withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build()));
            List<Stored> read = page.getKvs().stream().map(Stored::of).toList();
            stamp(read.stream().filter(r -> r.outcome() != null && r.outcome().at() == null).toList(), now);
            List<KeyValue> old = read.stream().filter(r -> r.outcome() != null && r.outcome().at() != null
                    && retention.forgettable(r.outcome().at(), now)).map(Stored::kv).toList();
            if (!old.isEmpty()) {
                TxnResponse r = etcd.await(etcd.client().getKVClient().txn()
                        .If(unchanged(old))
                        .Then(old.stream().map(kv -> Op.delete(kv.getKey(), DeleteOption.DEFAULT)).toArray(Op[]::new))
                        .commit());
                if (r.isSucceeded()) {
                    forgotten += old.size();
                } else {
                    LOG.debugf("%d old command outcome(s) changed while being pruned: left for the next pass", old.size());
                }
            }
            if (!page.isMore() || page.getKvs().isEmpty()) {
                return forgotten;
            }
            KeyValue last = page.getKvs().get(page.getKvs().size() - 1);
            from = last.getKey().concat(ByteSequence.from(new byte[] {0}));
        }
    }

    /** An outcome's key and value as read; {@code outcome} null when the value is not one (not ours to judge: left as it is). */
    private record Stored(KeyValue kv, CommandOutcome outcome) {
        static Stored of(KeyValue kv) {
            try {
                return new Stored(kv, StoredJson.read(kv.getValue().getBytes(), CommandOutcome.class));
            } catch (RuntimeException e) {
                return new Stored(kv, null);
            }
        }
    }

    /** Gives outcomes without a time the time {@code now}, each only if unchanged since it was read. */
    private void stamp(List<Stored> timeless, Instant now) {
        if (timeless.isEmpty()) {
            return;
        }
        TxnResponse r = etcd.await(etcd.client().getKVClient().txn()
                .If(unchanged(timeless.stream().map(Stored::kv).toList()))
                .Then(timeless.stream().map(t -> Op.put(t.kv().getKey(), EtcdAccess.json(t.outcome().decidedAt(now)),
                        PutOption.DEFAULT)).toArray(Op[]::new))
                .commit());
        if (r.isSucceeded()) {
            LOG.infof("%d command outcome(s) without a time (written by an older version) given the time %s: forgotten once"
                    + " the retention has passed from then", timeless.size(), now);
        }
    }

    /** The guard of a transaction that changes these keys only if none was written since it was read. */
    private static Cmp[] unchanged(List<KeyValue> read) {
        return read.stream().map(kv -> new Cmp(kv.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision())))
                .toArray(Cmp[]::new);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
