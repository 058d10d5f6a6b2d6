package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.logshipper.config.KafkaClients;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.model.PodDirectory;
import io.bgdeploy.logshipper.source.ContainerLogDecoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The collector's producer against a real broker: records that do not fit, and a broker that stops answering. */
class CollectorToKafkaIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String FILE = "cart-3-7f9c_shop_app-0123456789abcdef.log";

    @TempDir
    Path dir;

    private static String topic(String bootstrap, int maxMessageBytes) throws Exception {
        String topic = "container-logs-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = KafkaClients.of(bootstrap).admin("test-admin")) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", Integer.toString(maxMessageBytes))))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    /** Every record of the topic's only partition, from the start to its end now. */
    private static List<ContainerLogRecord> readAll(String bootstrap, String topic) throws Exception {
        List<ContainerLogRecord> records = new ArrayList<>();
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.of(bootstrap).consumer("unused", "reader", 500)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(ContainerLogDecoder.decode(r.value()));
                }
            }
        }
        return records;
    }

    private static ContainerLogRecord record(String line) {
        return new ContainerLogRecord(Instant.parse("2026-11-24T10:15:30.123Z"), "stdout", line, "shop", "cart", "3",
                "cart-3-7f9c", "app", "node-1", "d-1");
    }

    @Test
    void aLineTooLargeForTheTopicIsCutWithTheMarkerAndEveryOtherRecordGoesThrough() throws Exception {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        String matching = topic(bootstrap, 64 * 1024);
        String lower = topic(bootstrap, 64 * 1024);
        String huge = "é".repeat(150_000);
        try (KafkaProducer<String, String> producer = KafkaClients.of(bootstrap).producer("collector-test")) {
            new KafkaLogRecordPublisher(producer, matching, 64 * 1024).publish(List.of(record("before"), record(huge), record("after")));

            KafkaLogRecordPublisher misconfigured = new KafkaLogRecordPublisher(producer, lower, 1024 * 1024);
            misconfigured.publish(List.of(record("before"), record(huge), record("after")));
            assertThat(misconfigured.maxRecordBytes()).as("limit learnt from the broker's refusal").isLessThan(64 * 1024);
        }
        for (String topic : List.of(matching, lower)) {
            List<ContainerLogRecord> records = readAll(bootstrap, topic);
            assertThat(records).extracting(ContainerLogRecord::line).contains("before", "after").hasSize(3);
            ContainerLogRecord cut = records.stream().filter(r -> r.line().startsWith("éé")).findFirst().orElseThrow();
            assertThat(cut.line()).endsWith(GelfTruncation.marker(300_000));
            assertThat(cut.app()).isEqualTo("cart");
        }
    }

    /** The broker freezes (SIGSTOP) while lines are written: rounds fail, the lines are read again, none is lost. */
    @Test
    void linesWrittenWhileTheBrokerIsFrozenArriveOnceItIsBack() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("containers"));
        try (KafkaBroker broker = KafkaBroker.start(SharedInfra.workDir("kafka-frozen"))) {
            String topic = topic(broker.bootstrapServers(), 1024 * 1024);
            KafkaClients kafka = new KafkaClients(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "4000"));
            try (KafkaProducer<String, String> producer = kafka.producer("collector-frozen");
                 Collector collector = new Collector(logs, new Positions(dir.resolve("positions.json")),
                         new KafkaLogRecordPublisher(producer, topic, 1024 * 1024), PodDirectory.NONE,
                         new Collector.Settings("node-1", 1024 * 1024, Duration.ZERO))) {
                append(logs.resolve(FILE), 0, 100);
                assertThat(collector.pollOnce()).isEqualTo(100);
                signal("STOP", broker.process().pid());
                try {
                    append(logs.resolve(FILE), 100, 300);
                    assertThat(collector.pollOnce()).as("a round while the broker is frozen stores nothing").isZero();
                } finally {
                    signal("CONT", broker.process().pid());
                }
                await().atMost(WAIT).until(() -> {
                    collector.pollOnce();
                    return readAll(broker.bootstrapServers(), topic).stream().map(ContainerLogRecord::line).distinct().count() == 300;
                });
            }
            List<String> lines = readAll(broker.bootstrapServers(), topic).stream().map(ContainerLogRecord::line).toList();
            long duplicates = lines.size() - lines.stream().distinct().count();
            System.out.printf("collector, broker frozen for one round: 300 lines written, %d distinct stored, %d duplicates%n",
                    lines.stream().distinct().count(), duplicates);
            assertThat(lines).containsAll(IntStream.range(0, 300).mapToObj(i -> "line " + i).toList());
        }
    }

    private static void append(Path file, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("2026-11-24T10:15:30.123456789Z stdout F line ").append(i).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", signal, pid).isTrue();
    }
}
