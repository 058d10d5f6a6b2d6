package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.AgentEntries;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lbconfig.model.AgentStatesCheck;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static io.bgdeploy.lb.etcd.EtcdAccess.string;

/**
 * The agents (expected, live) and the revision each one serves, kept current by one watch over their keys, so that
 * a command learns that the agents confirmed it as soon as they wrote it, without polling etcd.
 * Read fully at start and after the watch ends, when a command asks; and every few seconds on a
 * thread of its own, off the path of every command: a watch can go silent after an etcd restart,
 * and etcd can go back in time when it is restored from a backup. That read replaces the watch only
 * when it shows the watch missed something ({@link AgentStatesCheck}); a watch that runs is kept,
 * since a report written while a new one starts waits for it.
 *
 * <p>The watch delivers on etcd's client thread, which also completes every other etcd call of the
 * process: nothing here waits for etcd while holding the lock that delivery takes, or a full read
 * would stall the delivery, and the delivery the read, until the etcd timeout.
 */
public final class AgentStatesWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AgentStatesWatch.class);
    /** One past the last key under {@link EtcdLayout#APPLIED}; the range starts at {@link EtcdLayout#EXPECTED}. */
    private static final String RANGE_END = EtcdLayout.APPLIED.substring(0, EtcdLayout.APPLIED.length() - 1) + "0";
    /** How often the service reads the agents fully in the background. */
    public static final Duration REREAD = Duration.ofSeconds(5);

    private final EtcdAccess etcd;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lbconfig-agent-states");
        t.setDaemon(true);
        return t;
    });
    private final Object changed = new Object();
    private AgentEntries entries = new AgentEntries();
    private long revision;
    private long version;
    /** What the last whole read left out as unreadable. */
    private List<String> problems = List.of();
    private Watch.Watcher watcher;
    /** Which watch's events count: those an older, closed watch still delivers are ignored. */
    private long watchNumber;
    private boolean closed;

    /** @param reread how often the agents are read fully in the background, to find a watch that missed something */
    public AgentStatesWatch(EtcdAccess etcd, Duration reread) {
        this.etcd = etcd;
        reader.scheduleWithFixedDelay(this::rereadQuietly, reread.toMillis(), reread.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest states; reads etcd fully only when the watch is not running (at start, or after it ended). */
    public AgentStates current() {
        synchronized (changed) {
            if (watcher != null) {
                return snapshot();
            }
        }
        AgentStates read = etcd.agentStates();
        synchronized (changed) {
            tellProblems(read);
            replaceWith(read);
            return snapshot();
        }
    }

    /** The background read: replaces what the watch holds only when the watch missed something. */
    private void rereadQuietly() {
        long watchedBeforeRead;
        synchronized (changed) {
            if (watcher == null || closed) {
                return; // the next command reads anyway
            }
            watchedBeforeRead = revision;
        }
        AgentStates read;
        try {
            read = etcd.agentStates();
        } catch (RuntimeException e) {
            LOG.debugf("periodic read of the agents failed (%s); the watch goes on", e.getMessage());
            return;
        }
        synchronized (changed) {
            tellProblems(read);
            if (closed || watcher == null || !AgentStatesCheck.watchMissedSomething(watchedBeforeRead, snapshot(), read)) {
                return;
            }
            LOG.infof("the watch of the agents missed changes (it had revision %d, etcd has %d); watching again from a whole read",
                    revision, read.revision());
            replaceWith(read);
        }
    }

    /** Warns of the entries a whole read left out as unreadable, once for as long as they stay the same. */
    private void tellProblems(AgentStates read) {
        if (!read.problems().equals(problems)) {
            if (!read.problems().isEmpty()) {
                LOG.warnf("agent entries in etcd left out: %s", read.problems());
            }
            problems = read.problems();
        }
    }

    private AgentStates snapshot() {
        return entries.states(revision, List.of());
    }

    /** A number that grows with every change seen. */
    public long version() {
        synchronized (changed) {
            return version;
        }
    }

    /** Waits until a change newer than {@code seen} arrived, at most {@code max}. */
    public void awaitChange(long seen, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (changed) {
            while (version == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * Takes a full read and watches every change after it: what the old watch delivered since the
     * read was taken comes again from the new watch, which starts at the read's revision.
     */
    private void replaceWith(AgentStates states) {
        entries = new AgentEntries(states);
        revision = states.revision();
        version++;
        if (watcher != null) {
            watcher.close();
        }
        long number = ++watchNumber;
        watcher = etcd.client().getWatchClient().watch(bytes(EtcdLayout.EXPECTED), WatchOption.builder()
                .withRange(bytes(RANGE_END)).withRevision(revision + 1).build(),
                Watch.listener(response -> onEvents(number, response), failure -> onError(number, failure)));
        changed.notifyAll();
    }

    private void onEvents(long number, WatchResponse response) {
        synchronized (changed) {
            if (number != watchNumber) {
                return;
            }
            for (WatchEvent e : response.getEvents()) {
                KeyValue kv = e.getKeyValue();
                byte[] value = e.getEventType() == WatchEvent.EventType.DELETE ? null : kv.getValue().getBytes();
                entries.take(string(kv.getKey()), value, kv.getModRevision())
                        .ifPresent(why -> LOG.warnf("agent entry left out: %s", why));
            }
            revision = Math.max(revision, response.getHeader().getRevision());
            version++;
            changed.notifyAll();
        }
    }

    private void onError(long number, Throwable t) {
        synchronized (changed) {
            if (number != watchNumber) {
                return;
            }
            if (!closed) {
                LOG.infof("watch of the agents ended (%s); reading them again at the next command", t.getMessage());
            }
            watcher = null;
            version++;
            changed.notifyAll();
        }
    }

    @Override
    public void close() {
        reader.shutdownNow();
        synchronized (changed) {
            closed = true;
            if (watcher != null) {
                watcher.close();
            }
        }
    }
}
