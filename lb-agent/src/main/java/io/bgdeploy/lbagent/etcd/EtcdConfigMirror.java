package io.bgdeploy.lbagent.etcd;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.RawRead;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.SnapshotDecoder;
import io.bgdeploy.lb.model.Snapshot;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.etcd.jetcd.options.WatchOption;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.string;

/**
 * A copy of the load-balancer configuration in etcd, kept current by one watch. {@link #refresh()}
 * reads everything at one revision and watches from the next; afterwards {@link #current()} applies
 * what the watch delivered, so a change costs what changed, not a read of every entry. The watch
 * covers the range from {@link EtcdLayout#CONFIG} to the end of {@link EtcdLayout#PROXY} in one
 * stream, so the events of one transaction (a frontend and its options) arrive together.
 *
 * <p>etcd restored from a backup (a snapshot, or a copy of a member's data) goes back in time: its
 * revision is lower than what the copy has seen, and the watch, which asks for the revision after
 * the copy's, would wait silently for a revision etcd reaches only much later. A linearizable read
 * is never older than what was committed before it began, so a whole read at a revision lower than
 * the copy's when the read began proves it; the copy then takes etcd's data as it is now. A watch
 * answer older than the copy (a progress notification after the restore) makes {@link
 * #watchAnswers} say no, so that the agent reads everything that interval.
 *
 * <p>{@link #current()} and {@link #refresh()} are called from one thread (the agent's loop); the
 * watch delivers on etcd's threads into a queue.
 */
public final class EtcdConfigMirror implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EtcdConfigMirror.class);

    /** One past the last key under {@link EtcdLayout#PROXY} ('/' + 1 is '0'). */
    static final String RANGE_END = EtcdLayout.PROXY.substring(0, EtcdLayout.PROXY.length() - 1) + "0";

    private final EtcdAccess etcd;
    private final Runnable onChange;
    private final Consumer<Throwable> onWatchError;
    private final Queue<WatchResponse> delivered = new ConcurrentLinkedQueue<>();
    private final SnapshotDecoder decoder = new SnapshotDecoder();
    private final TreeMap<String, byte[]> entries = new TreeMap<>();
    private volatile long lastHeardMillis;
    /** Notified at every answer of the watch: an event or a progress notification. */
    private final Object heard = new Object();
    /** Answers of the watch so far; guarded by {@link #heard}. */
    private long answers;
    /** Written by the agent's loop under this object's lock; read without it by the watch's thread and {@link #fetchAll()}. */
    private volatile long revision;
    /** A watch answer came at a revision older than the copy's: etcd may have gone back in time. */
    private volatile boolean answeredOlder;
    /** A whole read made by {@link #fetchAll()}, not yet gone on from. */
    private volatile Fetched fetched;

    /** A whole read, and the copy's revision when it began. */
    private record Fetched(RawRead read, long revisionBefore) {
    }
    private Watch.Watcher watcher;

    /**
     * @param onChange     called (on etcd's thread) when the watch delivered a change
     * @param onWatchError called when the watch ended; {@link #refresh()} starts a new one
     */
    public EtcdConfigMirror(EtcdAccess etcd, Runnable onChange, Consumer<Throwable> onWatchError) {
        this.etcd = etcd;
        this.onChange = onChange;
        this.onWatchError = onWatchError;
    }

    /**
     * Reads everything at one revision and watches every change after it. Only the entries that
     * differ from the copy (changes the watch missed: a compaction, a watch that ended) are decoded
     * again, except at the first read.
     */
    public Snapshot refresh() {
        RawRead read = etcd.readConfig();
        synchronized (this) {
            fetched = null;
            return goOnFrom(read);
        }
    }

    /**
     * Reads everything, on the caller's thread, for the next {@link #current()} to go on from: the
     * periodic re-read, which takes long with thousands of entries, is then off the path of a change.
     */
    public void fetchAll() {
        long before = revision;
        fetched = new Fetched(etcd.readConfig(), before);
        lastHeardMillis = System.currentTimeMillis();
    }

    private Snapshot goOnFrom(RawRead read) {
        if (watcher != null) {
            watcher.close();
        }
        delivered.clear();
        boolean first = watcher == null;
        Set<String> changed = new HashSet<>();
        if (!first) {
            entries.forEach((key, value) -> {
                if (!Arrays.equals(value, read.entries().get(key))) {
                    changed.add(key);
                }
            });
            read.entries().keySet().stream().filter(key -> !entries.containsKey(key)).forEach(changed::add);
        }
        entries.clear();
        entries.putAll(read.entries());
        if (read.revision() < revision) {
            LOG.warnf("etcd's revision went back from %d to %d (restored from a backup?): the load-balancer configuration"
                    + " is taken as etcd has it now", revision, read.revision());
        }
        revision = read.revision();
        answeredOlder = false;
        lastHeardMillis = System.currentTimeMillis();
        watcher = etcd.client().getWatchClient().watch(bytes(EtcdLayout.CONFIG), WatchOption.builder()
                        .withRange(bytes(RANGE_END)).withRevision(revision + 1).withProgressNotify(true).build(),
                Watch.listener(this::deliver, onWatchError));
        return first ? decoder.read(revision, entries) : decoder.update(revision, entries, changed);
    }

    /**
     * The configuration with every change the watch delivered so far; only the frontends and
     * backends whose entries changed are decoded again ({@link #lastChange()} names them).
     */
    public synchronized Snapshot current() {
        Fetched read = fetched;
        fetched = null;
        // not older than what the watch delivered, which it would otherwise take back for a moment; or
        // older than the copy was when the read began: etcd went back in time
        if (read != null && (read.read().revision() >= revision || read.read().revision() < read.revisionBefore())) {
            return goOnFrom(read.read());
        }
        Set<String> changed = new HashSet<>();
        WatchResponse response;
        while ((response = delivered.poll()) != null) {
            for (WatchEvent event : response.getEvents()) {
                KeyValue kv = event.getKeyValue();
                String key = string(kv.getKey());
                if (!key.startsWith(EtcdLayout.PROXY) && !key.startsWith(EtcdLayout.CONFIG) || key.equals(EtcdLayout.GENERATION)) {
                    continue;
                }
                changed.add(key);
                if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    entries.remove(key);
                } else {
                    entries.put(key, kv.getValue().getBytes());
                }
            }
            revision = Math.max(revision, response.getHeader().getRevision());
        }
        return decoder.update(revision, entries, changed);
    }

    /** The frontends and backends the last {@link #refresh()} or {@link #current()} decoded anew. */
    public synchronized SnapshotDecoder.Change lastChange() {
        return decoder.lastChange();
    }

    /**
     * Asks etcd for a progress notification on the watch and waits up to {@code timeout} for it, or
     * for any other answer of the watch: true when one came, so the watch is alive and delivers in
     * order what a whole read would find; false when it stayed silent (or no watch runs yet), and a
     * whole read is due. One small message each way, where a whole read of thousands of entries is
     * megabytes to read, compare and collect.
     */
    public boolean watchAnswers(Duration timeout) {
        synchronized (this) {
            if (watcher == null) {
                return false;
            }
        }
        long before;
        synchronized (heard) {
            before = answers;
        }
        etcd.client().getWatchClient().requestProgress();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (heard) {
            while (answers == before) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    heard.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        // an answer older than the copy: a whole read finds out whether etcd went back in time (or
        // only this watch's member lags behind, when the read changes nothing)
        return !answeredOlder;
    }

    /** When etcd last answered: a read, a change or a progress notification of the watch. */
    public long lastHeardMillis() {
        return lastHeardMillis;
    }

    private void deliver(WatchResponse response) {
        lastHeardMillis = System.currentTimeMillis();
        if (response.getHeader().getRevision() < revision) {
            answeredOlder = true;
        }
        synchronized (heard) {
            answers++;
            heard.notifyAll();
        }
        if (!response.getEvents().isEmpty()) {
            delivered.add(response);
            onChange.run();
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
