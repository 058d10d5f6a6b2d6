package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.RawRead;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.string;

/**
 * The configuration's keys ({@link EtcdLayout#PROXY}, {@link EtcdLayout#CONFIG}) kept in memory by one
 * watch, so that a command is decided without a read from etcd: its transaction is then the only
 * round trip. A stale view is safe: every command's transaction is guarded by the generation key's
 * mod revision as this view saw it, and fails if anything was written since; the command is then
 * decided again on a read from etcd.
 *
 * <p>One watch over the range from {@link EtcdLayout#CONFIG} to the end of {@link EtcdLayout#PROXY}
 * (keys in between that belong to neither are ignored) delivers both parts in revision order, and
 * etcd never splits one revision across two watch responses: after each response the view is the
 * configuration at one revision, never half a transaction.
 *
 * <p>The view is read fully (off the command path) at start and after the watch ends, and again
 * every second while that read fails. A view that
 * does not show this instance's own last write within the catch-up time is not used for that
 * command; one that stays behind for 5 s is taken as silent and read again. Writes by other tools
 * that do not change the generation key are seen as soon as the watch delivers them.
 * Until it is ready, {@link #read} returns nothing and the caller reads etcd. Nothing here waits
 * for etcd while holding the lock the watch delivers under.
 */
public final class WatchedConfig implements ConfigView {

    private static final Logger LOG = Logger.getLogger(WatchedConfig.class);
    private static final long SILENT_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long RETRY_MILLIS = 1000;
    /** One past the last key under {@link EtcdLayout#PROXY}: the watched range is [CONFIG, RANGE_END). */
    private static final String RANGE_END = EtcdLayout.PROXY.substring(0, EtcdLayout.PROXY.length() - 1) + "0";

    private final EtcdAccess etcd;
    private final Duration catchUp;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lbconfig-watched-config");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private TreeMap<String, byte[]> entries = new TreeMap<>();
    private long generationModRevision;
    /** Every revision up to this one is in {@link #entries}. */
    private long revision;
    private Watch.Watcher watcher;
    /** Which watch's events count: those of an older, closed watch are ignored. */
    private long watchNumber;
    private boolean ready;
    /** When a read first found the view behind a revision it should have had, 0 while it is not. */
    private long behindSince;
    private boolean reading;
    private boolean closed;

    /**
     * @param catchUp how long {@link #read} waits for the watch to deliver a revision the caller
     *                knows exists (its own last write) before it gives up and reads etcd
     */
    public WatchedConfig(EtcdAccess etcd, Duration catchUp) {
        this.etcd = etcd;
        this.catchUp = catchUp;
        synchronized (lock) {
            readAgainLater();
        }
    }

    /**
     * The given keys and everything under the given prefixes (all inside the watched parts) as of
     * one revision at least {@code atLeast}, with the generation key's mod revision; empty when the
     * view is not ready or does not reach {@code atLeast} within the catch-up time.
     */
    @Override
    public Optional<RawRead> read(List<String> keys, List<String> prefixes, long atLeast) {
        long deadline = System.nanoTime() + catchUp.toNanos();
        synchronized (lock) {
            while (ready && revision < atLeast) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // late under load, or silent: only a view behind for long is read again (a full read)
                    long now = System.nanoTime();
                    if (behindSince == 0) {
                        behindSince = now;
                    } else if (now - behindSince > SILENT_NANOS) {
                        LOG.infof("the watched configuration is still at revision %d, not at this instance's write "
                                + "at %d: reading it again", revision, atLeast);
                        ready = false;
                        readAgainLater();
                    }
                    return Optional.empty();
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            if (!ready) {
                readAgainLater();
                return Optional.empty();
            }
            behindSince = 0;
            Map<String, byte[]> found = new TreeMap<>();
            for (String key : keys) {
                byte[] value = entries.get(key);
                if (value != null) {
                    found.put(key, value);
                }
            }
            for (String prefix : prefixes) {
                for (Map.Entry<String, byte[]> e : entries.tailMap(prefix, true).entrySet()) {
                    if (!e.getKey().startsWith(prefix)) {
                        break;
                    }
                    found.put(e.getKey(), e.getValue());
                }
            }
            return Optional.of(new RawRead(revision, found, generationModRevision));
        }
    }

    /** True once the view was read and its watch runs. */
    public boolean ready() {
        synchronized (lock) {
            return ready;
        }
    }

    private void readAgainLater() {
        if (!reading && !closed) {
            reading = true;
            reader.execute(this::readAgain);
        }
    }

    /** Reads the configuration fully and watches every change after that read. */
    private void readAgain() {
        RawRead read;
        try {
            read = etcd.readConfig();
        } catch (RuntimeException e) {
            LOG.infof("the configuration could not be read for the watched view (%s); commands read etcd meanwhile, "
                    + "and it is read again in %d ms", e.getMessage(), RETRY_MILLIS);
            synchronized (lock) {
                if (!closed) {
                    reader.schedule(this::readAgain, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        synchronized (lock) {
            reading = false;
            if (closed) {
                return;
            }
            if (watcher != null) {
                watcher.close();
            }
            behindSince = 0;
            entries = new TreeMap<>(read.entries());
            entries.keySet().removeIf(key -> !watched(key));
            generationModRevision = read.generationModRevision();
            revision = read.revision();
            long number = ++watchNumber;
            watcher = etcd.client().getWatchClient().watch(bytes(EtcdLayout.CONFIG), WatchOption.builder()
                    .withRange(bytes(RANGE_END)).withRevision(revision + 1).build(),
                    Watch.listener(response -> onEvents(number, response), failure -> onError(number, failure)));
            ready = true;
            lock.notifyAll();
        }
    }

    private static boolean watched(String key) {
        return key.startsWith(EtcdLayout.CONFIG) || key.startsWith(EtcdLayout.PROXY);
    }

    private void onEvents(long number, WatchResponse response) {
        synchronized (lock) {
            if (number != watchNumber) {
                return;
            }
            for (WatchEvent e : response.getEvents()) {
                String key = string(e.getKeyValue().getKey());
                boolean delete = e.getEventType() == WatchEvent.EventType.DELETE;
                if (key.equals(EtcdLayout.GENERATION)) {
                    generationModRevision = delete ? 0 : e.getKeyValue().getModRevision();
                } else if (watched(key)) {
                    if (delete) {
                        entries.remove(key);
                    } else {
                        entries.put(key, e.getKeyValue().getValue().getBytes());
                    }
                }
                revision = Math.max(revision, e.getKeyValue().getModRevision());
            }
            lock.notifyAll();
        }
    }

    private void onError(long number, Throwable failure) {
        synchronized (lock) {
            if (number != watchNumber || closed) {
                return;
            }
            LOG.infof("watch of the configuration ended (%s); reading it again", failure.getMessage());
            watcher = null;
            ready = false;
            readAgainLater();
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            ready = false;
            if (watcher != null) {
                watcher.close();
            }
        }
        reader.shutdownNow();
    }
}
