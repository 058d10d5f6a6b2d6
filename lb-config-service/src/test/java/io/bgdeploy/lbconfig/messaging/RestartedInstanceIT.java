package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lbconfig.testing.KafkaTopics;
import io.bgdeploy.lbconfig.testing.PackagedInstance;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.bgdeploy.lb.etcd.EtcdAccess.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The only instance takes a command, stores its outcome in etcd and is killed (SIGKILL, no
 * LeaveGroup) before it answers; a new instance is started at once, as Kubernetes restarts a
 * container. The new instance must answer that command within the deployer's lb-timeout (30 s)
 * counted from the kill, with the production consumer settings: the group may not hold the dead
 * member's partitions for Kafka's default session timeout (45 s).
 */
class RestartedInstanceIT {

    /** The deployer's {@code deployer.lb-timeout}: how long it waits for an answer. */
    private static final Duration DEPLOYER_LB_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aCommandLeftUnansweredByAKilledInstanceIsAnsweredByTheRestartedOneWithinTheDeployersTimeout() throws Exception {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        String etcdEndpoint = SharedInfra.etcd().endpoint();
        KafkaTopics.ensure(bootstrap);
        // No agent is live, so the first instance stores the outcome and then waits for agents instead of answering.
        PackagedInstance first = PackagedInstance.start(bootstrap, etcdEndpoint, "restart-first", "lbconfig.min-agents=1");
        PackagedInstance second = null;
        String commandId = UUID.randomUUID().toString();
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS);
             EtcdAccess etcd = EtcdAccess.connect(List.of(etcdEndpoint), Duration.ofSeconds(10))) {
            EventEnvelope<?> env = EventEnvelope.of("/test", new UpsertBackend(commandId, "d-restart", "default", "restart",
                    new BackendSpec("default-restart-1", List.of(new ServerSpec("s", "10.3.0.1", 80)), false, List.of(), null)));
            KafkaTestClient.produce(bootstrap, Topics.LB_COMMANDS, env.key(), EventCodec.encodeToString(env),
                    Map.of("content-type", EventEnvelope.CONTENT_TYPE));
            await().atMost(Duration.ofSeconds(60)).until(() -> etcd.await(etcd.client().getKVClient()
                    .get(bytes(EtcdLayout.command(commandId)))).getCount() == 1);
            assertThat(events.records()).noneMatch(r -> r.value().contains(commandId));

            first.kill();
            long killedAt = System.nanoTime();
            // With no live agent required, the restarted instance confirms the stored outcome at once.
            second = PackagedInstance.start(bootstrap, etcdEndpoint, "restart-second", "lbconfig.min-agents=0");
            await().atMost(DEPLOYER_LB_TIMEOUT.minusNanos(System.nanoTime() - killedAt)).until(() -> events.records()
                    .stream().anyMatch(r -> r.value().contains(commandId)));
            System.out.printf("answered %d ms after the kill%n", Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
            assertThat(events.records()).filteredOn(r -> r.value().contains(commandId))
                    .singleElement()
                    .satisfies(r -> assertThat(EventCodec.decode(r.value()).data()).isInstanceOf(LbCommandApplied.class));
        } finally {
            first.kill();
            if (second != null) {
                second.kill();
            }
        }
    }
}
