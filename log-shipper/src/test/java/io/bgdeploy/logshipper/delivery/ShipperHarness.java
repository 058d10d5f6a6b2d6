package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.logshipper.config.KafkaClients;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.source.DeadLetters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A real broker, a fresh topic and a shipper loop on its own thread, for one test. */
final class ShipperHarness implements AutoCloseable {

    final String bootstrap = SharedInfra.kafka().bootstrapServers();
    final String topic = "container-logs-" + UUID.randomUUID().toString().substring(0, 8);
    final String dlqTopic = topic + "-dlq";
    final ShipperStats stats = new ShipperStats();
    private final KafkaClients kafka = KafkaClients.of(bootstrap);
    private final KafkaProducer<String, String> producer = kafka.producer("test-producer");
    private final KafkaProducer<String, byte[]> deadLetterProducer = kafka.bytesProducer("test-dlq-producer");
    /** Options of the transports the shipper gets: short timeouts, so that failures show quickly. */
    GelfTransports.Options options = new GelfTransports.Options(Duration.ofSeconds(2), Duration.ofSeconds(3),
            Duration.ofMillis(100), 1420, 4, 64 * 1024, true, Optional.empty());
    private final List<GelfShipper> shippers = new java.util.ArrayList<>();
    private final List<Thread> threads = new java.util.ArrayList<>();

    ShipperHarness() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, 4, (short) 1).configs(Map.of("max.message.bytes", Integer.toString(5 * 1024 * 1024))),
                    new NewTopic(dlqTopic, 1, (short) 1).configs(Map.of("max.message.bytes", Integer.toString(5 * 1024 * 1024)))))
                    .all().get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeTopics(List.of(topic))
                    .allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        }
    }

    void start(String gelfUrl, int maxInFlightRecords, int maxPollRecords) {
        startInstance(gelfUrl, maxInFlightRecords, maxPollRecords, stats);
    }

    /** Starts one more shipper in the same consumer group, with its own counters. */
    ShipperStats startInstance(String gelfUrl, int maxInFlightRecords, int maxPollRecords, ShipperStats instanceStats) {
        GelfTransport transport = GelfTransports.fromUrl(gelfUrl, options);
        GelfShipper shipper = new GelfShipper(kafka.consumer("group-" + topic, "shipper-" + topic, maxPollRecords),
                new DeadLetters(deadLetterProducer, dlqTopic), new GelfMapper(GelfMapper.Settings.DEFAULTS), transport,
                new GelfShipper.Settings(topic, maxInFlightRecords, 64L * 1024 * 1024, Duration.ofMillis(200),
                        Duration.ofMillis(100), Duration.ofSeconds(1)), instanceStats);
        Thread thread = new Thread(shipper, "shipper-" + topic + "-" + shippers.size());
        shippers.add(shipper);
        threads.add(thread);
        thread.start();
        return instanceStats;
    }

    void start(String gelfUrl) {
        start(gelfUrl, 10_000, 500);
    }

    static ContainerLogRecord record(String line) {
        return record("cart-3-7f9c", line);
    }

    static ContainerLogRecord record(String pod, String line) {
        return new ContainerLogRecord(Instant.parse("2026-11-24T10:15:30.123Z"), "stdout", line, "shop", "cart", "3",
                pod, "app", "node-1", "dep-42");
    }

    /** Produces and waits for the broker's ack: a paced stream. */
    void produce(ContainerLogRecord record) {
        produceRaw(record.key(), EventCodec.encodeToString(EventEnvelope.of("/test", record)));
    }

    /** Produces many records at once and waits until all are acknowledged. */
    void produceAll(List<ContainerLogRecord> records) {
        records.forEach(r -> producer.send(new ProducerRecord<>(topic, r.key(),
                EventCodec.encodeToString(EventEnvelope.of("/test", r)))));
        producer.flush();
    }

    void produceRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        shippers.forEach(GelfShipper::close);
        for (Thread thread : threads) {
            thread.join(15_000);
        }
        producer.close();
        deadLetterProducer.close();
    }
}
