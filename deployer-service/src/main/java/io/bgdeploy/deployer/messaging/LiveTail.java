package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads every partition of one topic from where it ends when the tail starts, outside any consumer
 * group. For topics of which each deployer instance needs every record written while it runs (the
 * answers to its own load-balancer commands, the health of the pods it waits for) and none from
 * before: nothing is committed, so no consumer group appears on the broker and a restart does not
 * read the topic again. {@link #start} returns once every partition's position is fixed, so a record
 * written after it returns is delivered. Partitions added to the topic later, and a topic that does not
 * exist yet when the tail starts, are read from their start.
 * A record the handler cannot read goes to the topic's DLQ with the reason, as with the SmallRye channels.
 */
public final class LiveTail implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LiveTail.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

    /** What a record's value is given to; a value it cannot read is rejected with the reason. */
    @FunctionalInterface
    public interface Handler {
        void accept(String value) throws MalformedEventException;
    }

    private final String topic;
    private final Handler handler;
    private final Map<String, Object> clientConfig;
    private final KafkaConsumer<String, String> consumer;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private KafkaProducer<String, String> deadLetters;

    private LiveTail(Map<String, Object> clientConfig, String topic, Handler handler) {
        this.topic = topic;
        this.handler = handler;
        this.clientConfig = Map.copyOf(clientConfig);
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "deployer-" + topic + "-tail");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, "live-tail-" + topic);
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code topic} from its current end.
     *
     * @param clientConfig the Kafka client settings (bootstrap servers, TLS, SASL)
     */
    public static LiveTail start(Map<String, Object> clientConfig, String topic, Handler handler) {
        return startFrom(clientConfig, topic, handler, null);
    }

    /**
     * Starts reading {@code topic} from its first records written at or after {@code from} (its
     * current end where there are none; {@code null}: from the end).
     */
    public static LiveTail startFrom(Map<String, Object> clientConfig, String topic, Handler handler, Instant from) {
        LiveTail tail = new LiveTail(clientConfig, topic, handler);
        try {
            List<TopicPartition> partitions = tail.partitions();
            if (!partitions.isEmpty()) {
                tail.consumer.assign(partitions);
                tail.consumer.seekToEnd(partitions);
                if (from != null) {
                    Map<TopicPartition, Long> at = new HashMap<>();
                    partitions.forEach(p -> at.put(p, from.toEpochMilli()));
                    tail.consumer.offsetsForTimes(at).forEach((partition, found) -> {
                        if (found != null) {
                            tail.consumer.seek(partition, found.offset());
                        }
                    });
                }
                partitions.forEach(tail.consumer::position);
                tail.assigned.addAll(partitions);
            }
        } catch (RuntimeException e) {
            tail.consumer.close();
            throw e;
        }
        tail.thread.start();
        if (tail.assigned.isEmpty()) {
            LOG.warnf("topic %s does not exist yet: it is read from its start once it does (create the topics up front,"
                    + " see the README's topic table)", topic);
        } else {
            LOG.infof("reading %s from %s on %d partition(s), in no consumer group", topic,
                    from == null ? "its end" : from, tail.assigned.size());
        }
        return tail;
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> info = consumer.partitionsFor(topic);
        return info == null ? List.of() : info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private void run() {
        long nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        try {
            while (running) {
                if (assigned.isEmpty()) {
                    waitForTheTopic();
                    continue;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    deliver(record);
                }
                if (System.nanoTime() > nextCheck) {
                    addNewPartitions();
                    nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
            if (deadLetters != null) {
                deadLetters.close();
            }
        }
    }

    private void waitForTheTopic() throws InterruptedException {
        addNewPartitions();
        if (assigned.isEmpty()) {
            Thread.sleep(POLL.toMillis());
        }
    }

    private void deliver(ConsumerRecord<String, String> record) {
        try {
            handler.accept(record.value());
        } catch (MalformedEventException e) {
            deadLetter(record, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("%s record at partition %d offset %d was not handled (%s): going on with the next one",
                    topic, record.partition(), record.offset(), e.getMessage());
        }
    }

    private void addNewPartitions() {
        try {
            List<TopicPartition> now = partitions();
            List<TopicPartition> added = now.stream().filter(p -> !assigned.contains(p)).toList();
            if (!added.isEmpty()) {
                assigned.addAll(added);
                consumer.assign(assigned);
                consumer.seekToBeginning(added);
                LOG.infof("%s has %d new partition(s): reading them from their start", topic, added.size());
            }
        } catch (KafkaException e) {
            LOG.warnf("cannot list the partitions of %s (%s): trying again later", topic, e.getMessage());
        }
    }

    private void deadLetter(ConsumerRecord<String, String> record, String reason) {
        String dlq = Topics.dlq(topic);
        LOG.warnf("%s record at partition %d offset %d is not readable (%s): sent to %s", topic, record.partition(),
                record.offset(), reason, dlq);
        if (deadLetters == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "deployer-" + topic + "-tail-dlq");
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            deadLetters = new KafkaProducer<>(config);
        }
        ProducerRecord<String, String> out = new ProducerRecord<>(dlq, record.key(), record.value());
        out.headers().add("dead-letter-reason", bytes(reason));
        out.headers().add("dead-letter-topic", bytes(topic));
        out.headers().add("dead-letter-partition", bytes(String.valueOf(record.partition())));
        out.headers().add("dead-letter-offset", bytes(String.valueOf(record.offset())));
        deadLetters.send(out, (metadata, error) -> {
            if (error != null) {
                LOG.errorf("%s record at partition %d offset %d could not be sent to %s: %s", topic, record.partition(),
                        record.offset(), dlq, error.getMessage());
            }
        });
    }

    private static byte[] bytes(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
