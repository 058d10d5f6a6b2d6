package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.AppLocks;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link AppLocks} as etcd keys {@code /bgdeploy/deployer/locks/<name>} bound to this instance's
 * lease. A key is created only if it does not exist (one transaction), and deleted on release only
 * if it is still the one this instance created. When the instance stops without releasing, etcd
 * deletes its keys once the lease's time to live has passed without a keep-alive.
 *
 * <p>The lease is renewed about three times per time to live. A lock counts as held only while
 * the last renewal is younger than the time to live: past that, etcd may already have handed it
 * to another instance, and {@link Held#valid()} says so. A lost lease is replaced by a new one
 * for the locks taken after that.
 */
public final class EtcdAppLocks implements AppLocks, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EtcdAppLocks.class);
    public static final String PREFIX = EtcdStore.PREFIX + "locks/";
    private static final Duration POLL_MIN = Duration.ofMillis(50);
    private static final Duration POLL_MAX = Duration.ofMillis(500);

    private final Client client;
    private final Duration ttl;
    private final Duration requestTimeout;
    private final String owner;
    private volatile Lease lease;
    private volatile boolean closed;

    /** One lease and what is known about its renewal. */
    private final class Lease implements StreamObserver<LeaseKeepAliveResponse> {
        private final long id;
        private final CloseableClient keeper;
        private volatile long renewedNanos = System.nanoTime();
        private volatile boolean lost;

        private Lease(long id) {
            this.id = id;
            this.keeper = client.getLeaseClient().keepAlive(id, this);
        }

        boolean alive() {
            return !lost && System.nanoTime() - renewedNanos < ttl.toNanos();
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            if (response.getTTL() <= 0) {
                lose("etcd says it has expired");
            } else {
                renewedNanos = System.nanoTime();
            }
        }

        @Override
        public void onError(Throwable t) {
            lose(t.getMessage());
        }

        @Override
        public void onCompleted() {
            lose("its keep-alive ended");
        }

        private void lose(String why) {
            if (!lost && !closed) {
                LOG.warnf("deployer instance %s lost its etcd lease %x (%s): the locks it held may pass to another"
                        + " instance", owner, id, why);
            }
            lost = true;
            if (keeper != null) { // null only if the keep-alive failed while it was being set up
                keeper.close();
            }
        }
    }

    /**
     * @param ttl            how long the locks of a stopped instance stay held (at least 2 s)
     * @param requestTimeout how long one etcd request may take
     * @param owner          this instance's name, stored as the value of its lock keys
     */
    public EtcdAppLocks(Client client, Duration ttl, Duration requestTimeout, String owner) {
        if (ttl.toSeconds() < 2) {
            throw new IllegalArgumentException("the lock lease's time to live must be at least 2 s, not " + ttl);
        }
        this.client = client;
        this.ttl = ttl;
        this.requestTimeout = requestTimeout;
        this.owner = owner;
    }

    @Override
    public String owner() {
        return owner;
    }

    private synchronized Lease currentLease() {
        if (closed) {
            throw new IllegalStateException("the locks of instance " + owner + " are closed");
        }
        if (lease == null || !lease.alive()) {
            if (lease != null) {
                lease.lose("renewal overdue");
            }
            lease = new Lease(await(client.getLeaseClient().grant(ttl.toSeconds())).getID());
            LOG.debugf("deployer instance %s holds its locks under etcd lease %x (time to live %s)", owner, lease.id, ttl);
        }
        return lease;
    }

    @Override
    public Optional<Held> tryLock(String name) {
        return tryLockReading(name).map(Taken::held);
    }

    @Override
    public Optional<Held> lock(String name, Duration timeout) throws InterruptedException {
        return waitFor(timeout, () -> tryLock(name));
    }

    /** A lock just taken, with the answers of the reads made in the transaction that took it. */
    record Taken(Held held, List<GetResponse> reads) {
    }

    /**
     * Takes the lock, waiting at most {@code timeout}, and reads {@code reads} in the same
     * transaction: what they read is what etcd had when the lock was taken, and it costs no round
     * trip of its own.
     */
    Optional<Taken> lockReading(String name, Duration timeout, Op... reads) throws InterruptedException {
        return waitFor(timeout, () -> tryLockReading(name, reads));
    }

    /** Takes the lock if no one holds it, reading {@code reads} in the same transaction. */
    Optional<Taken> tryLockReading(String name, Op... reads) {
        Lease l = currentLease();
        ByteSequence key = bytes(PREFIX + name);
        Op[] then = new Op[reads.length + 1];
        then[0] = Op.put(key, bytes(owner), PutOption.builder().withLeaseId(l.id).build());
        System.arraycopy(reads, 0, then, 1, reads.length);
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(then)
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit());
        if (!r.isSucceeded()) {
            return Optional.empty();
        }
        return Optional.of(new Taken(new EtcdHeld(name, key, r.getHeader().getRevision(), l), r.getGetResponses()));
    }

    /**
     * Writes {@code writes} and lets the lock go, in one transaction. The writes are made whether
     * the lock is still this instance's or not; it is deleted only if it is.
     *
     * @param held a lock taken here and not let go yet
     * @return the transaction's answer: the responses of {@code writes}, in their order
     */
    TxnResponse releaseWriting(Held held, List<Op> writes) {
        EtcdHeld h = (EtcdHeld) held;
        List<Op> then = new ArrayList<>(writes);
        then.add(Op.delete(h.key, DeleteOption.DEFAULT));
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(h.key, Cmp.Op.EQUAL, CmpTarget.createRevision(h.revision)))
                .Then(then.toArray(Op[]::new))
                .Else(writes.toArray(Op[]::new))
                .commit());
        h.released = true;
        return r;
    }

    private <T> Optional<T> waitFor(Duration timeout, Supplier<Optional<T>> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = POLL_MIN.toMillis();
        while (true) {
            Optional<T> taken = attempt.get();
            if (taken.isPresent() || System.nanoTime() >= deadline) {
                return taken;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Thread.sleep(Math.max(1, Math.min(left, pause + ThreadLocalRandom.current().nextLong(pause / 2 + 1))));
            pause = Math.min(POLL_MAX.toMillis(), pause * 2);
        }
    }

    /** Who holds a lock now, if anyone (for logs and tests). */
    public Optional<String> holder(String name) {
        var kvs = await(client.getKVClient().get(bytes(PREFIX + name))).getKvs();
        return kvs.stream().findFirst().map(KeyValue::getValue).map(v -> v.toString(StandardCharsets.UTF_8));
    }

    /** Releases every lock at once (revokes the lease): another instance can take over immediately. */
    @Override
    public synchronized void close() {
        closed = true;
        Lease l = lease;
        if (l != null) {
            l.keeper.close();
            try {
                await(client.getLeaseClient().revoke(l.id));
            } catch (EtcdStore.StoreException e) {
                LOG.warnf("could not revoke etcd lease %x of instance %s (%s): its locks end with its time to live",
                        l.id, owner, e.getMessage());
            }
        }
    }

    private final class EtcdHeld implements Held {
        private final String name;
        private final ByteSequence key;
        private final long revision;
        private final Lease lease;
        /** Let go together with a write ({@link #releaseWriting}). */
        private volatile boolean released;

        private EtcdHeld(String name, ByteSequence key, long revision, Lease lease) {
            this.name = name;
            this.key = key;
            this.revision = revision;
            this.lease = lease;
        }

        @Override
        public boolean valid() {
            return lease.alive() && !closed;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            try {
                await(client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(revision)))
                        .Then(Op.delete(key, DeleteOption.DEFAULT))
                        .commit());
                released = true;
            } catch (EtcdStore.StoreException e) {
                LOG.warnf("could not release lock %s of instance %s (%s): it ends with the lease", name, owner,
                        e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "lock " + name + " held by " + owner;
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private <T> T await(CompletableFuture<T> f) {
        return EtcdStore.await(f, requestTimeout);
    }
}
