package io.bgdeploy.health.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Reads every partition of a topic without a consumer group (nothing committed, no group left
 * behind), from its start or from a time back, on a thread of its own, and hands each event to a
 * handler in the order of its partition. Partitions added to the topic are picked up. A record
 * that cannot be read is logged and skipped: the topic is another service's, or a report that the
 * next one replaces. {@code caughtUp} runs once, when the records that were there at the start
 * have all been handled.
 */
final class TopicTail implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicTail.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);

    private final String topic;
    private final Duration from;
    private final Consumer<EventEnvelope<?>> handler;
    private final Runnable caughtUp;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private Map<TopicPartition, Long> startEnds;
    private boolean signalled;
    private volatile boolean running = true;

    /**
     * @param kafka the service's Kafka client settings (bootstrap servers, security)
     * @param from  how far back to start reading; {@code null}: from the beginning
     */
    TopicTail(Map<String, Object> kafka, String topic, Duration from, Consumer<EventEnvelope<?>> handler,
              Runnable caughtUp) {
        this.topic = topic;
        this.from = from;
        this.handler = handler;
        this.caughtUp = caughtUp;
        Map<String, Object> config = new HashMap<>(kafka);
        config.keySet().removeIf(k -> k.startsWith("group.") || k.equals("enable.auto.commit"));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "health-service-" + topic + "-tail");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, topic + "-tail");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long nextRefresh = 0;
        boolean failing = false;
        while (running) {
            try {
                if (System.nanoTime() - nextRefresh >= 0 || assigned.isEmpty()) {
                    refreshPartitions();
                    nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
                }
                if (assigned.isEmpty()) {
                    LockSupport.parkNanos(POLL.toNanos());
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    handle(r);
                }
                checkCaughtUp();
                if (failing) {
                    LOG.infof("reading %s again", topic);
                    failing = false;
                }
            } catch (WakeupException e) {
                break;
            } catch (KafkaException e) {
                if (!failing) {
                    LOG.warnf("cannot read %s: %s; trying again", topic, e.getMessage());
                    failing = true;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    private void refreshPartitions() {
        List<TopicPartition> all = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (all.isEmpty()) {
            signalCaughtUp();
            return;
        }
        List<TopicPartition> added = all.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        assigned.addAll(added);
        consumer.assign(assigned);
        if (from == null) {
            consumer.seekToBeginning(added);
        } else {
            long since = Instant.now().minus(from).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            added.forEach(tp -> query.put(tp, since));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(added);
            for (TopicPartition tp : added) {
                OffsetAndTimestamp at = offsets.get(tp);
                consumer.seek(tp, at == null ? ends.get(tp) : at.offset());
            }
        }
        if (!signalled && startEnds == null) {
            startEnds = new HashMap<>(consumer.endOffsets(added));
        }
    }

    private void handle(ConsumerRecord<String, String> r) {
        try {
            handler.accept(EventCodec.decode(r.value()));
        } catch (MalformedEventException e) {
            LOG.warnf("%s record at partition %d offset %d skipped: %s", topic, r.partition(), r.offset(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s record at partition %d offset %d could not be handled", topic, r.partition(), r.offset());
        }
    }

    private void checkCaughtUp() {
        if (startEnds == null) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> e : startEnds.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        startEnds = null;
        signalCaughtUp();
    }

    private void signalCaughtUp() {
        if (!signalled) {
            signalled = true;
            caughtUp.run();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
