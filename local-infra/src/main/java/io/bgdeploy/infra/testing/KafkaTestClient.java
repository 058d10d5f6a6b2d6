package io.bgdeploy.infra.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Plain Kafka clients for tests: produce a record as CI would, and read a topic from its start. */
public final class KafkaTestClient {

    private KafkaTestClient() {
    }

    /** Produces one record and waits until the broker acknowledged it. */
    public static void produce(String bootstrap, String topic, String key, String value, Map<String, String> headers) {
        produce(bootstrap, topic, key, value, headers, null);
    }

    /** A record stamped {@code timestampMillis} (its CreateTime) instead of now, when not null. */
    public static void produce(String bootstrap, String topic, String key, String value, Map<String, String> headers,
                               Long timestampMillis) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, timestampMillis, key, value);
            headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e.getMessage(), e);
        }
    }

    public static void produce(String bootstrap, String topic, String key, String value) {
        produce(bootstrap, topic, key, value, Map.of());
    }

    /**
     * Makes the broker refuse records larger than {@code bytes} on a topic, a fault no producer can
     * retry away; null lifts the limit again.
     */
    public static void limitRecordSize(String bootstrap, String topic, Integer bytes) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            AlterConfigOp op = bytes == null
                    ? new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)
                    : new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(bytes)), AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot change max.message.bytes of " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A consumer of every partition of {@code topic}, from the beginning, without a group. */
    public static TopicReader reader(String bootstrap, String topic) {
        return new TopicReader(bootstrap, topic);
    }

    /** Reads a topic from the start; collects everything it has seen. */
    public static final class TopicReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final String topic;
        private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

        private TopicReader(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            this.consumer = new KafkaConsumer<>(p);
            this.topic = topic;
        }

        /** Polls until a record matches, or fails after {@code timeout}. */
        public ConsumerRecord<String, String> await(Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
            return find(match).orElseGet(() -> {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : poll()) {
                        if (match.test(r)) {
                            return r;
                        }
                    }
                }
                throw new AssertionError("no matching record on " + topic + " within " + timeout
                        + "; seen " + seen.size() + " records: " + summary());
            });
        }

        /** Everything read so far, after one more poll. */
        public List<ConsumerRecord<String, String>> records() {
            poll();
            return List.copyOf(seen);
        }

        public Optional<ConsumerRecord<String, String>> find(Predicate<ConsumerRecord<String, String>> match) {
            return seen.stream().filter(match).findFirst();
        }

        private List<ConsumerRecord<String, String>> poll() {
            assignAll();
            List<ConsumerRecord<String, String>> batch = new ArrayList<>();
            if (consumer.assignment().isEmpty()) {
                // the topic does not exist yet: nothing to read, look again on the next poll
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return batch;
            }
            consumer.poll(Duration.ofMillis(200)).forEach(batch::add);
            seen.addAll(batch);
            return batch;
        }

        private void assignAll() {
            if (!consumer.assignment().isEmpty()) {
                return;
            }
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> tps = partitions.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        private String summary() {
            StringBuilder sb = new StringBuilder();
            for (ConsumerRecord<String, String> r : seen.subList(Math.max(0, seen.size() - 5), seen.size())) {
                sb.append("\n  key=").append(r.key()).append(" value=").append(r.value());
            }
            return sb.toString();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** The value of a header as text, or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
