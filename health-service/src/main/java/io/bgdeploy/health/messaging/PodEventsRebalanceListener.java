package io.bgdeploy.health.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.probe.ProbeService;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps probing in step with the consumer group: when a {@code pod-events} partition moves to
 * another instance, this one stops probing the pods of that partition's apps before the other
 * starts, so no pod is reported by two instances. Offsets are never committed, so the instance that
 * gets a partition reads it from the start and learns every pod still running.
 */
@ApplicationScoped
@Identifier(PodEventsRebalanceListener.NAME)
public class PodEventsRebalanceListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "pod-events-rebalance";
    private static final Logger LOG = Logger.getLogger(PodEventsRebalanceListener.class);

    private final PartitionOwnership ownership;
    private final ProbeService probes;
    private final DashboardState dashboard;

    public PodEventsRebalanceListener(PartitionOwnership ownership, ProbeService probes, DashboardState dashboard) {
        this.ownership = ownership;
        this.probes = probes;
        this.dashboard = dashboard;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> numbers = numbers(partitions);
        Map<Integer, Long> ends = new HashMap<>();
        consumer.endOffsets(partitions).forEach((tp, end) -> ends.put(tp.partition(), end));
        ownership.assigned(ends, consumer.partitionsFor(Topics.POD_EVENTS).size());
        LOG.infof("pod-events partitions assigned: %s (now owning %s)", numbers, ownership.owned());
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> numbers = numbers(partitions);
        if (numbers.isEmpty()) {
            return;
        }
        ownership.revoked(numbers);
        int released = probes.release(t -> ownership.inAny(t.pod().key(), numbers));
        dashboard.releasePods(p -> ownership.inAny(p.key(), numbers));
        LOG.infof("pod-events partitions revoked: %s; stopped probing %d pods", numbers, released);
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }
}
