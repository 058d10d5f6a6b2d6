package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;

/**
 * Compacts etcd's history, as Kubernetes' API server does for its own etcd. etcd keeps every
 * revision of every key until someone compacts it: without that, each agent's progress report,
 * each command and each deployment step adds to a database that only grows, until etcd reaches its
 * quota, raises its NOSPACE alarm and refuses every write (no switch, no deployment) until an
 * operator compacts and defragments it by hand.
 *
 * <p>Each {@link #round()} (every interval, on every instance) is a compare-and-swap on
 * {@link EtcdLayout#COMPACTION}: the instance that still knows the key's current version wins the
 * round, writes down the revision it saw a round ago and compacts the history up to it; the others
 * learn the new version and the current revision. So one instance compacts per round, and every
 * change stays readable and watchable for at least one interval: a watch that falls further behind
 * ends with an error, and the views here and in the agents then read everything again.
 */
public final class EtcdCompactor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EtcdCompactor.class);
    private static final ByteSequence KEY = bytes(EtcdLayout.COMPACTION);
    /** etcd's {@code mvcc.ErrCompacted}. */
    private static final String ETCD_COMPACTED = "required revision has been compacted";

    private final EtcdAccess etcd;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "etcd-compactor");
        t.setDaemon(true);
        return t;
    });
    /** The version of the compaction key this instance last saw: the round's compare-and-swap expects it. */
    private long knownVersion;
    /** etcd's revision at this instance's last round: what it compacts up to when it wins the next. */
    private long revisionARoundAgo;

    /** What a round did. */
    public record Round(boolean won, long compactedUpTo) {
    }

    public EtcdCompactor(EtcdAccess etcd) {
        this.etcd = etcd;
    }

    /** Runs a round every {@code interval}; a round etcd does not answer is tried again at the next. */
    public void start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("lbconfig.etcd-compaction-interval must be positive (or 0s: off), not " + interval);
        }
        timer.scheduleWithFixedDelay(this::roundQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        String every = interval.toString().substring(2).toLowerCase(Locale.ROOT);
        LOG.infof("etcd's history is compacted every %s, keeping at least the last %s of it", every, every);
    }

    private void roundQuietly() {
        try {
            Round round = round();
            if (round.compactedUpTo() > 0) {
                LOG.infof("etcd's history compacted up to revision %d", round.compactedUpTo());
            }
        } catch (RuntimeException e) {
            LOG.warnf("etcd's history was not compacted this round: %s", e.getMessage());
        }
    }

    /** One round: compacts up to the revision of this instance's previous round if it wins this one. */
    public synchronized Round round() {
        TxnResponse answer = etcd.await(etcd.client().getKVClient().txn()
                .If(new Cmp(KEY, Cmp.Op.EQUAL, CmpTarget.version(knownVersion)))
                .Then(Op.put(KEY, bytes(Long.toString(revisionARoundAgo)), PutOption.DEFAULT))
                .Else(Op.get(KEY, GetOption.DEFAULT))
                .commit());
        long upTo = revisionARoundAgo;
        revisionARoundAgo = answer.getHeader().getRevision();
        if (!answer.isSucceeded()) {
            GetResponse current = answer.getGetResponses().get(0);
            knownVersion = current.getKvs().isEmpty() ? 0 : current.getKvs().get(0).getVersion();
            return new Round(false, 0);
        }
        knownVersion++;
        if (upTo == 0) {
            return new Round(true, 0);
        }
        try {
            etcd.await(etcd.client().getKVClient().compact(upTo, CompactOption.DEFAULT));
        } catch (EtcdUnavailableException e) {
            if (!compactedAlready(e)) {
                throw e;
            }
            LOG.debugf("etcd's history was compacted beyond revision %d already", upTo);
        }
        return new Round(true, upTo);
    }

    /**
     * etcd compacted past the revision already (an operator, or etcd's own auto-compaction): its
     * {@code ErrCompacted}, which jetcd passes on as gRPC's OUT_OF_RANGE with etcd's text.
     */
    private static boolean compactedAlready(EtcdUnavailableException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(ETCD_COMPACTED)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
