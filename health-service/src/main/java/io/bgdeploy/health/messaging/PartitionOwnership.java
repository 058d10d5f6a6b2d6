package io.bgdeploy.health.messaging;

import io.bgdeploy.health.model.AppOwnership;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code pod-events} partitions this instance owns, and in which partition each app's
 * records arrived. A pod belongs to the partition of its app key, so when a partition moves to
 * another instance this one can stop probing exactly the pods that instance now probes. An app is
 * this instance's to answer for once its partition is owned and read up to where it stood when it
 * was assigned: only then are all of the app's running pods known.
 */
@ApplicationScoped
public class PartitionOwnership implements AppOwnership {

    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> readUpTo = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionOfApp = new ConcurrentHashMap<>();
    private volatile int partitionCount;

    /**
     * Partitions given to this instance, with the offset each ended at when it was assigned.
     *
     * @param partitionCount how many partitions the topic has
     */
    public void assigned(Map<Integer, Long> endOffsets, int partitionCount) {
        this.partitionCount = partitionCount;
        endOffsets.forEach((partition, end) -> {
            if (end > 0) {
                readUpTo.put(partition, end);
            } else {
                readUpTo.remove(partition);
            }
        });
        owned.addAll(endOffsets.keySet());
    }

    public void revoked(Collection<Integer> partitions) {
        owned.removeAll(partitions);
        partitions.forEach(readUpTo::remove);
    }

    /** Whether a record of this partition may still be handled (its partition was not revoked meanwhile). */
    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** A record was handled: once the end offset seen at assignment is reached, the partition is caught up. */
    public void handled(int partition, long offset) {
        readUpTo.computeIfPresent(partition, (p, end) -> offset + 1 >= end ? null : end);
    }

    public void seen(String appKey, int partition) {
        partitionOfApp.put(appKey, partition);
    }

    /** Whether the app's records come from one of these partitions. */
    public boolean inAny(String appKey, Collection<Integer> partitions) {
        Integer p = partitionOfApp.get(appKey);
        return p != null && partitions.contains(p);
    }

    /**
     * Whether this instance answers for the app: its partition (the one Kafka's default partitioner
     * picks for the key, as the deployer publishes) is owned and read up to where it stood when it
     * was assigned.
     */
    @Override
    public boolean owns(String appKey) {
        int count = partitionCount;
        if (count == 0) {
            return false;
        }
        Integer partition = partitionOfApp.get(appKey);
        int p = partition != null ? partition
                : Utils.toPositive(Utils.murmur2(appKey.getBytes(StandardCharsets.UTF_8))) % count;
        return owned.contains(p) && !readUpTo.containsKey(p);
    }

    public Set<Integer> owned() {
        return Set.copyOf(owned);
    }
}
