package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.messaging.ContainerLogPublisher;
import io.bgdeploy.deployer.messaging.DeploymentMetrics;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.localplatform.ContainerLogSink;
import io.bgdeploy.localplatform.LaunchSpec;
import io.bgdeploy.localplatform.LocalPlatform;
import io.bgdeploy.localplatform.PodListener;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pod that writes its log much faster than Kafka takes it, read by the local platform into the
 * deployer's real container-logs publisher, against the real broker: the lines handed over and not
 * acknowledged stay within the platform's bound, none is refused, and every line is on the topic,
 * once, in order.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class ContainerLogFloodTest {

    private static final int LINES = 50_000;

    @Inject
    DeploymentMetrics metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    Path stateDir;

    private LocalPlatform platform;
    private ContainerLogPublisher publisher;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger confirmed = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    /** The deployer's own sink (as config.Wiring builds it), counting what it holds unconfirmed. */
    private final ContainerLogSink countingSink = record -> {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return publisher.publish(record).whenComplete((ok, error) -> {
            inFlight.decrementAndGet();
            (error == null ? confirmed : refused).incrementAndGet();
        });
    };

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.stopAll();
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    @Test
    void aPodWritingFasterThanKafkaTakesHasEveryLineDeliveredOnceWithBoundedLinesInFlight() throws Exception {
        publisher = new ContainerLogPublisher(Map.of("bootstrap.servers", bootstrap), metrics);
        assertThat(publisher.configuration()).as("every line on every in-sync replica, never written twice")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", "true");
        platform = new LocalPlatform(new LocalPlatform.Settings(Map.of(), List.of(), stateDir, Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(2), "local", Duration.ZERO, 0,
                LocalPlatform.Supervisor.current(), 1 << 20, "deployer.local."), countingSink);
        platform.create(new LaunchSpec("default", "flood-1", "flood", "1", "dep-flood", 1, Map.of(), List.of(),
                List.of(new LaunchSpec.Container("writer", "busybox", List.of("sh", "-c", "seq 1 %d; exec sleep 600"
                        .formatted(LINES)), List.of(), List.of(), List.of(), 0))), PodListener.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> !platform.pods("default", "flood-1").isEmpty());
        String pod = platform.pods("default", "flood-1").get(0).name();
        Path stdout = stateDir.resolve("logs").resolve("default_" + pod).resolve("writer.stdout.log");

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(stdout) && Files.readString(stdout).endsWith(LINES + "\n"));
        assertThat(confirmed.get()).as("the pod wrote its lines faster than Kafka took them").isLessThan(LINES);

        await().atMost(Duration.ofSeconds(120)).until(() -> confirmed.get() + refused.get() >= LINES);
        List<String> onTheTopic = linesOnTheTopic(Keys.pod("default", pod));
        assertThat(refused.get()).as("lines the publisher or the broker refused").isZero();
        assertThat(maxInFlight.get()).as("lines handed to the publisher and not acknowledged, at most")
                .isLessThanOrEqualTo(LocalPlatform.MAX_LOG_LINES_IN_FLIGHT);
        assertThat(onTheTopic.stream().distinct().toList()).as("every line, in order")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, LINES).mapToObj(Integer::toString).toList());
        assertThat(onTheTopic.size() - LINES).as("lines sent twice").isZero();
    }

    /** The lines of the pod's records on container-logs, in their order on the topic. */
    private List<String> linesOnTheTopic(String key) {
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONTAINER_LOGS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        lines.add(EventCodec.decode(r.value(), ContainerLogRecord.class).data().line());
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return lines;
    }
}
