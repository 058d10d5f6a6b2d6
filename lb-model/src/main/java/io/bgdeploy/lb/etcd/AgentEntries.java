package io.bgdeploy.lb.etcd;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;
import io.bgdeploy.lb.etcd.StoredJson.AgentProgress;
import io.bgdeploy.lb.etcd.StoredJson.AgentRegistration;
import io.bgdeploy.lb.etcd.StoredJson.ExpectedAgent;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The agents' entries by agent id, taken one key at a time by one rule, whether they come from a
 * whole read or from a watch: an entry is decoded as what the prefix of its key says it is; one that
 * is not readable is left out; so is a progress report that names its own write's revision or a
 * later one ({@link AgentProgress#possibleAt}: written before etcd went back in time). Each left out
 * comes back as the reason, and an entry left out replaces the one the agent had before. Not
 * thread-safe: its owner guards it.
 */
public final class AgentEntries {

    private final Map<String, AgentRegistration> agents;
    private final Map<String, AgentProgress> progress;
    private final Map<String, ExpectedAgent> expected;

    public AgentEntries() {
        this(new AgentStates(0, Map.of(), Map.of(), Map.of()));
    }

    /** Starts from what a whole read found. */
    public AgentEntries(AgentStates states) {
        agents = new TreeMap<>(states.agents());
        progress = new TreeMap<>(states.progress());
        expected = new TreeMap<>(states.expected());
    }

    /**
     * Takes the entry at {@code key}, as written at {@code modRevision}; {@code value} null: deleted.
     * Keys of no agent are ignored.
     *
     * @return why the entry was left out, naming its key; empty when it was taken (or deleted)
     */
    public Optional<String> take(String key, byte[] value, long modRevision) {
        if (key.startsWith(EtcdLayout.EXPECTED)) {
            return take(expected, key, EtcdLayout.EXPECTED, value, ExpectedAgent.class, modRevision);
        }
        if (key.startsWith(EtcdLayout.AGENTS)) {
            return take(agents, key, EtcdLayout.AGENTS, value, AgentRegistration.class, modRevision);
        }
        if (key.startsWith(EtcdLayout.APPLIED)) {
            return take(progress, key, EtcdLayout.APPLIED, value, AgentProgress.class, modRevision);
        }
        return Optional.empty();
    }

    private static <T> Optional<String> take(Map<String, T> entries, String key, String prefix, byte[] value,
                                             Class<T> type, long modRevision) {
        String id = key.substring(prefix.length());
        entries.remove(id);
        if (value == null) {
            return Optional.empty();
        }
        T entry;
        try {
            entry = StoredJson.readPresent(value, type);
        } catch (IllegalArgumentException unreadable) {
            return Optional.of(key + ": " + unreadable.getMessage());
        }
        if (entry instanceof AgentProgress p && !p.possibleAt(modRevision)) {
            return Optional.of(key + ": reports revision " + Math.max(p.revision(), p.failedRevision())
                    + " in a write at revision " + modRevision + ", so it was written before etcd went back in time"
                    + " (restored from a backup?) and is not taken as what the agent serves");
        }
        entries.put(id, entry);
        return Optional.empty();
    }

    /** What is held now, as seen at {@code revision}, by agent id in order, with the reasons of a whole read's left-out entries. */
    public AgentStates states(long revision, List<String> problems) {
        return new AgentStates(revision, sortedCopy(agents), sortedCopy(progress), sortedCopy(expected), List.copyOf(problems));
    }

    private static <T> Map<String, T> sortedCopy(Map<String, T> entries) {
        return Collections.unmodifiableMap(new TreeMap<>(entries));
    }
}
