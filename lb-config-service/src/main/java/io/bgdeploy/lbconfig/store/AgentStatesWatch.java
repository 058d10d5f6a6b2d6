package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lb.etcd.StoredJson;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;
import io.bgdeploy.lbconfig.model.AgentStatesCheck;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private Map<String, AgentRegistration> agents = new TreeMap<>();
    private Map<String, AgentProgress> progress = new TreeMap<>();
    private Map<String, ExpectedAgent> expected = new TreeMap<>();
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
                LOG.warnf("agent entries in etcd that are not readable are left out: %s", read.problems());
            }
            problems = read.problems();
        }
    }

    private AgentStates snapshot() {
        return new AgentStates(revision, Map.copyOf(agents), Map.copyOf(progress), Map.copyOf(expected));
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
        agents = new TreeMap<>(states.agents());
        progress = new TreeMap<>(states.progress());
        expected = new TreeMap<>(states.expected());
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
                String key = string(e.getKeyValue().getKey());
                byte[] value = e.getEventType() == WatchEvent.EventType.DELETE ? null : e.getKeyValue().getValue().getBytes();
                if (key.startsWith(EtcdLayout.EXPECTED)) {
                    take(expected, key.substring(EtcdLayout.EXPECTED.length()), entry(key, value, ExpectedAgent.class));
                } else if (key.startsWith(EtcdLayout.AGENTS)) {
                    take(agents, key.substring(EtcdLayout.AGENTS.length()), entry(key, value, AgentRegistration.class));
                } else if (key.startsWith(EtcdLayout.APPLIED)) {
                    String id = key.substring(EtcdLayout.APPLIED.length());
                    AgentProgress p = entry(key, value, AgentProgress.class);
                    if (p != null && !p.possibleAt(e.getKeyValue().getModRevision())) {
                        LOG.warnf("agent %s reported revision %d in a write at revision %d: written before etcd went back in"
                                + " time (restored from a backup?), not taken as what it serves", id, p.revision(),
                                e.getKeyValue().getModRevision());
                        p = null;
                    }
                    take(progress, id, p);
                }
            }
            revision = Math.max(revision, response.getHeader().getRevision());
            version++;
            changed.notifyAll();
        }
    }

    /**
     * An entry as a watch event carries it; null when it was deleted, and when it is not readable
     * (left out, as a whole read leaves it out, also when it replaced a readable one).
     */
    private static <T> T entry(String key, byte[] value, Class<T> type) {
        if (value == null) {
            return null;
        }
        try {
            return StoredJson.readPresent(value, type);
        } catch (IllegalArgumentException unreadable) {
            LOG.warnf("agent entry %s is not readable, left out: %s", key, unreadable.getMessage());
            return null;
        }
    }

    /** Puts the agent's entry, or removes it when there is none. */
    private static <T> void take(Map<String, T> entries, String id, T entry) {
        if (entry == null) {
            entries.remove(id);
        } else {
            entries.put(id, entry);
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
