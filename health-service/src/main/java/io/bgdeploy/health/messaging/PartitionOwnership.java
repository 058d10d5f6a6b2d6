package io.bgdeploy.health.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code pod-events} partitions this instance owns, and in which partition each app's
 * records arrived. A pod belongs to the partition of its app key, so when a partition moves to
 * another instance this one can stop probing exactly the pods that instance now probes.
 */
@ApplicationScoped
public class PartitionOwnership {

    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> partitionOfApp = new ConcurrentHashMap<>();

    public void assigned(Collection<Integer> partitions) {
        owned.addAll(partitions);
    }

    public void revoked(Collection<Integer> partitions) {
        owned.removeAll(partitions);
    }

    /** Whether a record of this partition may still be handled (its partition was not revoked meanwhile). */
    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    public void seen(String appKey, int partition) {
        partitionOfApp.put(appKey, partition);
    }

    /** Whether the app's records come from one of these partitions. */
    public boolean inAny(String appKey, Collection<Integer> partitions) {
        Integer p = partitionOfApp.get(appKey);
        return p != null && partitions.contains(p);
    }

    public Set<Integer> owned() {
        return Set.copyOf(owned);
    }
}
