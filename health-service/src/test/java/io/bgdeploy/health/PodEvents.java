package io.bgdeploy.health;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.infra.testing.KafkaTestClient;
import org.eclipse.microprofile.config.ConfigProvider;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.apache.kafka.common.errors.TopicExistsException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Produces pod-events as the deployer does. */
public final class PodEvents {

    private PodEvents() {
    }

    /**
     * Creates the topics the tests read, so that a reader can be assigned their partitions before
     * anything was published to them.
     */
    public static void createTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            var missing = Stream.of(Topics.POD_EVENTS, Topics.POD_EVENTS_DLQ, Topics.POD_HEALTH, Topics.DEPLOY_EVENTS,
                            Topics.HEALTH_REPORTS)
                    .filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 4, (short) 1)).toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the test topics", e);
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
    }

    /** The partition of pod-events (4 partitions) that Kafka's default partitioner picks for an app key. */
    public static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 4;
    }

    /**
     * A second member of the group {@code health-service}, as another instance would be: it
     * subscribes to pod-events and is given some of its partitions, commits nothing.
     */
    public static KafkaConsumer<String, String> otherMemberOfTheGroup(Duration wait) {
        KafkaConsumer<String, String> other = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "health-service",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        other.subscribe(List.of(Topics.POD_EVENTS));
        Awaitility.await().atMost(wait).until(() -> {
            other.poll(Duration.ofMillis(200));
            return !other.assignment().isEmpty();
        });
        return other;
    }

    public static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    public static PodRef pod(String app, String podName) {
        return new PodRef("dep-" + app, "test", app, "1", podName);
    }

    public static PodStarted started(PodRef pod, String type, int port, int success, int failure) {
        return new PodStarted(pod, "node-1", "127.0.0.1", Map.of("http", port),
                new HealthCheckSpec(type, "/health", port, 100, 5000, success, failure));
    }

    /** An event the service published, read strictly: an unreadable one fails the test. */
    public static EventEnvelope<?> decode(ConsumerRecord<String, String> r) {
        try {
            return EventCodec.decode(r.value());
        } catch (MalformedEventException e) {
            throw new AssertionError("health-service published an unreadable event: " + r.value(), e);
        }
    }

    /** Whether the record says that pod entered that state. */
    public static boolean isHealth(ConsumerRecord<String, String> r, PodRef pod, PodHealthState state) {
        return decode(r).data() instanceof PodHealthChanged h && h.pod().podName().equals(pod.podName())
                && h.state() == state;
    }

    /** Publishes an event of the deployer on its topic (pod-events, deploy-events). */
    public static void send(EventData data) {
        EventEnvelope<?> event = EventEnvelope.of("/deployer-service", data);
        KafkaTestClient.produce(bootstrap(), data.eventType().topic(), event.key(), EventCodec.encodeToString(event),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE));
    }
}
