package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lbconfig.testing.KafkaTopics;
import io.bgdeploy.lbconfig.testing.PackagedInstance;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the packaged service consume lb-commands as one consumer group; one is killed
 * (SIGKILL) while commands flow. Every command is answered, and no command is applied twice: all
 * answers of one command carry the same etcd revision.
 */
class ConsumerGroupIT {

    private static final int COMMANDS = 120;

    private static Map.Entry<String, Long> answer(ConsumerRecord<String, String> r) {
        try {
            EventData d = EventCodec.decode(r.value()).data();
            if (d instanceof LbCommandApplied a) {
                return Map.entry(a.commandId(), a.revision());
            }
            if (d instanceof LbCommandRejected j) {
                return Map.entry(j.commandId(), -1L);
            }
        } catch (Exception e) {
            return null;
        }
        return null;
    }

    @Test
    void killingOneOfTwoInstancesLosesNoCommandAndAppliesNoneTwice() throws Exception {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        String etcd = SharedInfra.etcd().endpoint();
        KafkaTopics.ensure(bootstrap);
        PackagedInstance a = PackagedInstance.start(bootstrap, etcd, "a", "lbconfig.min-agents=0");
        PackagedInstance b = PackagedInstance.start(bootstrap, etcd, "b", "lbconfig.min-agents=0");
        List<String> ids = new ArrayList<>();
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            for (int i = 0; i < COMMANDS; i++) {
                String app = "grp" + (i % 8);
                String id = UUID.randomUUID().toString();
                ids.add(id);
                EventEnvelope<?> env = EventEnvelope.of("/test", new UpsertBackend(id, "d", "default", app,
                        new BackendSpec("default-" + app + "-" + i, List.of(new ServerSpec("s", "10.2.0." + (i % 200 + 1), 80)),
                                false, List.of(), null)));
                KafkaTestClient.produce(bootstrap, Topics.LB_COMMANDS, env.key(), EventCodec.encodeToString(env),
                        Map.of("content-type", EventEnvelope.CONTENT_TYPE));
                if (i == COMMANDS / 3) {
                    a.kill();
                }
            }
            Set<String> wanted = Set.copyOf(ids);
            await().atMost(Duration.ofSeconds(120)).until(() -> events.records().stream().map(ConsumerGroupIT::answer)
                    .filter(e -> e != null && wanted.contains(e.getKey())).map(Map.Entry::getKey)
                    .collect(Collectors.toSet()).size() == COMMANDS);

            Map<String, Set<Long>> revisionsPerCommand = new HashMap<>();
            events.records().stream().map(ConsumerGroupIT::answer).filter(e -> e != null && wanted.contains(e.getKey()))
                    .forEach(e -> revisionsPerCommand.computeIfAbsent(e.getKey(), k -> new java.util.HashSet<>()).add(e.getValue()));
            assertThat(revisionsPerCommand).hasSize(COMMANDS);
            assertThat(revisionsPerCommand.values()).allSatisfy(revisions -> {
                assertThat(revisions).hasSize(1);
                assertThat(revisions.iterator().next()).isPositive();
            });
        } finally {
            a.kill();
            b.kill();
        }
    }
}
