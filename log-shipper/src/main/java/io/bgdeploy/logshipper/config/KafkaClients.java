package io.bgdeploy.logshipper.config;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka clients of log-shipper. They start from every {@code kafka.*} setting of the
 * application, exactly what the SmallRye channels of the other services get: bootstrap servers,
 * {@code security.protocol}, {@code ssl.*} and {@code sasl.*} (env {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SASL_JAAS_CONFIG}, ...). On top of those, what at-least-once needs is fixed and
 * cannot be configured away: manual commits on the consumer; {@code acks=all}, idempotence and
 * unlimited retries within {@code delivery.timeout.ms} on the producers.
 */
public final class KafkaClients {

    /** Largest record the producers send; the topics' {@code max.message.bytes} must allow it. */
    public static final int MAX_REQUEST_BYTES = 5 * 1024 * 1024;

    private final Map<String, Object> settings;

    /** @param settings the application's {@code kafka.*} settings without the prefix ({@code bootstrap.servers}, ...) */
    public KafkaClients(Map<String, ?> settings) {
        this.settings = Map.copyOf(settings);
        if (!this.settings.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("kafka.bootstrap.servers is not set (env KAFKA_BOOTSTRAP_SERVERS)");
        }
    }

    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public String bootstrapServers() {
        return String.valueOf(settings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The settings a client of this kind accepts, so that none of the others is logged as unknown. */
    private Map<String, Object> common(Set<String> known) {
        Map<String, Object> p = new HashMap<>();
        settings.forEach((k, v) -> {
            if (known.contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    /** A consumer of raw record values: the shipper decodes them itself and dead-letters them unchanged. */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, int maxPollRecords) {
        Map<String, Object> p = common(ConsumerConfig.configNames());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** A producer of raw values (dead letters keep the original bytes). */
    public KafkaProducer<String, byte[]> bytesProducer(String clientId) {
        return new KafkaProducer<>(producerSettings(clientId, ByteArraySerializer.class));
    }

    /** A producer of text values (the collector's CloudEvents). */
    public KafkaProducer<String, String> producer(String clientId) {
        return new KafkaProducer<>(producerSettings(clientId, StringSerializer.class));
    }

    private Map<String, Object> producerSettings(String clientId, Class<?> valueSerializer) {
        Map<String, Object> p = common(ProducerConfig.configNames());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSerializer.getName());
        return p;
    }

    public Admin admin(String clientId) {
        Map<String, Object> p = common(AdminClientConfig.configNames());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        return Admin.create(p);
    }
}
