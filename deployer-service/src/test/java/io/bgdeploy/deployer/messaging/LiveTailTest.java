package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.infra.KafkaBroker;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The deployer's reader of pod-health and lb-events, against the real broker. */
class LiveTailTest {

    static KafkaBroker kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedInfra.kafka();
        kafka.createTopics(List.of(Topics.POD_HEALTH, Topics.POD_HEALTH_DLQ), 4);
    }

    private static Map<String, Object> client() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    private static void produce(String value) {
        KafkaTestClient.produce(kafka.bootstrapServers(), Topics.POD_HEALTH, "default/app-" + value.hashCode() % 7, value);
    }

    private static Set<String> groups() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
        }
    }

    @Test
    void aRestartedTailReadsWhatIsWrittenFromThenOnAndNothingFromBeforeAndCreatesNoConsumerGroup() throws Exception {
        String run = UUID.randomUUID().toString();
        Set<String> groupsBefore = groups();
        produce("before-" + run);

        List<String> first = new CopyOnWriteArrayList<>();
        try (LiveTail tail = LiveTail.start(client(), Topics.POD_HEALTH, first::add)) {
            for (int i = 0; i < 8; i++) {
                produce("first-" + run + "-" + i);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(first)
                    .filteredOn(v -> v.startsWith("first-" + run)).hasSize(8));
        }
        assertThat(first).as("records from before the start").doesNotContain("before-" + run);

        List<String> second = new CopyOnWriteArrayList<>();
        try (LiveTail tail = LiveTail.start(client(), Topics.POD_HEALTH, second::add)) {
            produce("second-" + run);
            await().atMost(Duration.ofSeconds(30)).until(() -> second.contains("second-" + run));
        }
        assertThat(second).as("a restarted tail reads nothing of what the first one read")
                .noneMatch(v -> v.contains(run) && !v.startsWith("second-"));

        assertThat(groups()).as("consumer groups on the broker after two tails ran")
                .containsExactlyInAnyOrderElementsOf(groupsBefore);
    }

    @Test
    void aTailStartedFromAPointInTimeReadsTheRecordsWrittenSinceAndNoneBefore() {
        String run = UUID.randomUUID().toString();
        produce("before-" + run);
        Instant from = Instant.now().plusMillis(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(from));
        for (int i = 0; i < 8; i++) {
            produce("since-" + run + "-" + i);
        }

        List<String> read = new CopyOnWriteArrayList<>();
        try (LiveTail tail = LiveTail.startFrom(client(), Topics.POD_HEALTH, read::add, from)) {
            produce("after-" + run);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read)
                    .filteredOn(v -> v.contains(run)).hasSize(9));
        }
        assertThat(read).as("records written before the point in time").doesNotContain("before-" + run);
    }

    @Test
    void aRecordTheHandlerCannotReadGoesToTheDlqWithTheReasonAndTheNextOneIsRead() {
        String run = UUID.randomUUID().toString();
        List<String> read = new CopyOnWriteArrayList<>();
        LiveTail.Handler handler = value -> {
            if (value.startsWith("bad-")) {
                throw new MalformedEventException("not a CloudEvent: " + value);
            }
            read.add(value);
        };
        try (LiveTail tail = LiveTail.start(client(), Topics.POD_HEALTH, handler);
             var dlq = KafkaTestClient.reader(kafka.bootstrapServers(), Topics.POD_HEALTH_DLQ)) {
            KafkaTestClient.produce(kafka.bootstrapServers(), Topics.POD_HEALTH, "default/shop", "bad-" + run);
            KafkaTestClient.produce(kafka.bootstrapServers(), Topics.POD_HEALTH, "default/shop", "good-" + run);

            ConsumerRecord<String, String> dead = dlq.await(r -> ("bad-" + run).equals(r.value()), Duration.ofSeconds(30));
            assertThat(dead.key()).isEqualTo("default/shop");
            assertThat(KafkaTestClient.header(dead, "dead-letter-reason")).isEqualTo("not a CloudEvent: bad-" + run);
            assertThat(KafkaTestClient.header(dead, "dead-letter-topic")).isEqualTo(Topics.POD_HEALTH);
            await().atMost(Duration.ofSeconds(30)).until(() -> read.contains("good-" + run));
        }
    }

    @Test
    void aTopicThatDoesNotExistYetIsReadFromItsStartOnceItDoes() {
        String topic = "tail-" + UUID.randomUUID();
        List<String> read = new CopyOnWriteArrayList<>();
        try (LiveTail tail = LiveTail.start(client(), topic, read::add)) {
            KafkaTestClient.produce(kafka.bootstrapServers(), topic, "default/shop", "first");
            KafkaTestClient.produce(kafka.bootstrapServers(), topic, "default/shop", "second");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read).containsExactly("first", "second"));
        }
    }
}
