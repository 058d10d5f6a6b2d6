package io.bgdeploy.health.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A second member joins the consumer group {@code health-service} and takes partitions of
 * {@code pod-events}: the service stops probing the pods of those partitions (nobody reports them
 * twice) and keeps probing its own; when the member leaves, the service replays the partitions it
 * gets back and probes those pods again.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class PartitionHandoverTest {

    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    /** One app per partition, so that both members own some pods whatever the assignment. */
    private static Map<Integer, PodRef> podPerPartition() {
        Map<Integer, PodRef> pods = new HashMap<>();
        for (int i = 0; pods.size() < PARTITIONS; i++) {
            String app = "handover-" + i;
            pods.putIfAbsent(PodEvents.partitionOf("test/" + app), PodEvents.pod(app, app + "-1-a"));
        }
        return pods;
    }

    private static Set<String> probedPods() {
        List<String> apps = given().get("/api/dashboard").then().statusCode(200).extract()
                .jsonPath().getList("apps.app", String.class);
        Set<String> pods = new java.util.HashSet<>();
        for (String app : apps) {
            pods.addAll(given().get("/api/dashboard/apps/test/" + app).then().statusCode(200).extract()
                    .jsonPath().getList("versions.pods.flatten().podName", String.class));
        }
        return pods;
    }

    @Test
    void podsOfPartitionsTakenByAnotherMemberAreNoLongerProbedHereAndComeBackWhenItLeaves() {
        Map<Integer, PodRef> pods = podPerPartition();
        try (PodServer server = PodServer.start().answer(200, "ok");
             var health = KafkaTestClient.reader(PodEvents.bootstrap(), Topics.POD_HEALTH)) {
            pods.values().forEach(p -> PodEvents.send(PodEvents.started(p, "simple", server.port(), 1, 1)));
            pods.values().forEach(p -> health.await(r -> PodEvents.isHealth(r, p, PodHealthState.READY), WAIT));

            Set<Integer> taken;
            try (KafkaConsumer<String, String> other = PodEvents.otherMemberOfTheGroup(WAIT)) {
                taken = other.assignment().stream().map(TopicPartition::partition).collect(Collectors.toSet());
                Set<String> theirs = pods.entrySet().stream().filter(e -> taken.contains(e.getKey()))
                        .map(e -> e.getValue().podName()).collect(Collectors.toSet());
                Set<String> ours = pods.entrySet().stream().filter(e -> !taken.contains(e.getKey()))
                        .map(e -> e.getValue().podName()).collect(Collectors.toSet());
                assertThat(theirs).isNotEmpty();
                assertThat(ours).isNotEmpty();

                await().atMost(WAIT).until(() -> {
                    Set<String> probed = probedPods();
                    return probed.containsAll(ours) && theirs.stream().noneMatch(probed::contains);
                });

                server.answer(503, "down");
                pods.entrySet().stream().filter(e -> !taken.contains(e.getKey())).forEach(e ->
                        health.await(r -> PodEvents.isHealth(r, e.getValue(), PodHealthState.UNHEALTHY), WAIT));
                assertThat(health.records()).as("pods of partitions the other member owns are not reported here")
                        .noneMatch(r -> pods.entrySet().stream().anyMatch(e -> taken.contains(e.getKey())
                                && PodEvents.isHealth(r, e.getValue(), PodHealthState.UNHEALTHY)));
            }

            pods.entrySet().stream().filter(e -> taken.contains(e.getKey())).forEach(e ->
                    health.await(r -> PodEvents.isHealth(r, e.getValue(), PodHealthState.UNHEALTHY), WAIT));
            server.answer(200, "ok");
            pods.values().forEach(p -> PodEvents.send(new io.bgdeploy.events.pod.PodGone(p, "test over")));
        }
    }
}
