package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lbconfig.testing.AgentResource;
import io.bgdeploy.lbconfig.testing.ConfirmingAgent;
import io.bgdeploy.lbconfig.testing.KafkaTopics;
import io.bgdeploy.lbconfig.testing.LogCapture;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.lbconfig.messaging.CommandHandler.AnswerNotSentException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** The whole service: commands from Kafka, etcd, an agent's confirmation, answers on Kafka. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
@QuarkusTestResource(AgentResource.class)
class LbCommandFlowTest {

    private static final int BLUE_PORT = 18080;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeAll
    static void createTopics() throws Exception {
        KafkaTopics.ensure(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    private void send(EventData command) {
        EventEnvelope<?> envelope = EventEnvelope.of("/test-ci", command);
        KafkaTestClient.produce(bootstrap, Topics.LB_COMMANDS, envelope.key(), EventCodec.encodeToString(envelope),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE));
    }

    /** A command stamped {@code sentAt} by its producer. */
    private void send(EventData command, Instant sentAt) {
        EventEnvelope<?> envelope = EventEnvelope.of("/test-ci", command);
        KafkaTestClient.produce(bootstrap, Topics.LB_COMMANDS, envelope.key(), EventCodec.encodeToString(envelope),
                Map.of("content-type", EventEnvelope.CONTENT_TYPE), sentAt.toEpochMilli());
    }

    private static EventData data(ConsumerRecord<String, String> record) {
        try {
            return EventCodec.decode(record.value()).data();
        } catch (Exception e) {
            return null;
        }
    }

    private static String commandId(ConsumerRecord<String, String> record) {
        EventData d = data(record);
        if (d instanceof LbCommandApplied a) {
            return a.commandId();
        }
        if (d instanceof LbCommandRejected r) {
            return r.commandId();
        }
        return null;
    }

    @Test
    void commandsAreAppliedOnceLiveInHaproxyAndAStaleSwitchIsRejected() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String host = app + ".example.com";
        String backend = "default-" + app + "-1";
        String upsertId = UUID.randomUUID().toString();
        String switchId = UUID.randomUUID().toString();
        String staleId = UUID.randomUUID().toString();
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            send(new UpsertBackend(upsertId, "d-" + app, "default", app, new BackendSpec(backend,
                    List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));
            send(new SwitchFrontend(switchId, "d-" + app, "default", app, FrontendSpec.http(host), backend, null));
            String other = "default-" + app + "-2";
            send(new UpsertBackend(UUID.randomUUID().toString(), "d-" + app, "default", app, new BackendSpec(other,
                    List.of(new ServerSpec("pod-2", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));
            send(new SwitchFrontend(staleId, "d-" + app, "default", app, FrontendSpec.http(host), other,
                    "default-" + app + "-0"));

            var applied = events.await(r -> switchId.equals(commandId(r)), Duration.ofSeconds(60));
            var rejected = events.await(r -> staleId.equals(commandId(r)), Duration.ofSeconds(60));

            assertThat(data(applied)).isInstanceOfSatisfying(LbCommandApplied.class, a -> {
                assertThat(a.revision()).isPositive();
                assertThat(a.agents()).containsExactly(AgentResource.AGENT_ID);
            });
            assertThat(applied.key()).isEqualTo("default/" + app);
            assertThat(KafkaTestClient.header(applied, "content-type")).isEqualTo(EventEnvelope.CONTENT_TYPE);
            assertThat(data(rejected)).isInstanceOfSatisfying(LbCommandRejected.class,
                    r -> assertThat(r.reason()).contains("stale switch"));
        }
        given().get("/frontends").then().statusCode(200).body("frontends.hostname", hasItem(host));
        given().get("/backends").then().statusCode(200).body("backends.id", hasItem(backend));
        given().get("/agents").then().statusCode(200).body("agents.agentId", hasItem(AgentResource.AGENT_ID))
                .body("agents.find { it.agentId == '" + AgentResource.AGENT_ID + "' }.live", equalTo(true))
                .body("agents.find { it.agentId == '" + AgentResource.AGENT_ID + "' }.staleSeconds", notNullValue());
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        // each step with a histogram, so that its tail is seen and not only its mean
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("lbconfig_command_step_seconds_bucket\\{[^}]*step=\"etcd\"[^}]*} [1-9]")
                .containsPattern("lbconfig_command_step_seconds_bucket\\{[^}]*step=\"agents\"[^}]*} [1-9]");
    }

    @Test
    void aSwitchThatCarriesItsBackendAppliesBothOrNeither() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String host = app + ".example.com";
        String green = "default-" + app + "-1";
        String stale = "default-" + app + "-2";
        String switchId = UUID.randomUUID().toString();
        String staleId = UUID.randomUUID().toString();
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            send(new SwitchFrontend(switchId, "d-" + app, "default", app, FrontendSpec.http(host), green, null,
                    new BackendSpec(green, List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));
            send(new SwitchFrontend(staleId, "d-" + app, "default", app, FrontendSpec.http(host), stale, "default-" + app + "-0",
                    new BackendSpec(stale, List.of(new ServerSpec("pod-2", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));

            var applied = events.await(r -> switchId.equals(commandId(r)), Duration.ofSeconds(60));
            var rejected = events.await(r -> staleId.equals(commandId(r)), Duration.ofSeconds(60));

            assertThat(data(applied)).isInstanceOfSatisfying(LbCommandApplied.class,
                    a -> assertThat(a.agents()).containsExactly(AgentResource.AGENT_ID));
            assertThat(data(rejected)).isInstanceOfSatisfying(LbCommandRejected.class,
                    r -> assertThat(r.reason()).contains("stale switch"));
        }
        given().get("/frontends").then().statusCode(200)
                .body("frontends.find { it.hostname == '" + host + "' }.backendId", equalTo(green));
        given().get("/backends").then().statusCode(200).body("backends.id", hasItem(green))
                .body("backends.id", not(hasItem(stale)));
    }

    @Test
    void aRedeliveredCommandIsAnsweredExactlyOnce() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String commandId = UUID.randomUUID().toString();
        String laterId = UUID.randomUUID().toString();
        UpsertBackend command = new UpsertBackend(commandId, "d-" + app, "default", app, new BackendSpec(
                "default-" + app + "-1", List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null));
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            send(command);
            send(command);
            send(new UpsertBackend(laterId, "d-" + app, "default", app, new BackendSpec(
                    "default-" + app + "-2", List.of(), false, List.of(), null)));

            events.await(r -> laterId.equals(commandId(r)), Duration.ofSeconds(60));

            assertThat(events.records().stream().filter(r -> commandId.equals(commandId(r)))).hasSize(1);
        }
    }

    @Test
    void aCommandOlderThanTheOutcomesRetentionIsRejectedUnappliedUnlessItsOutcomeSaysItWasAnswered() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String backend = "default-" + app + "-1";
        String oldId = UUID.randomUUID().toString();
        String answeredId = UUID.randomUUID().toString();
        String laterId = UUID.randomUUID().toString();
        Instant beyondRetention = Instant.now().minus(Duration.ofDays(8)).minus(Duration.ofMinutes(5));
        UpsertBackend answered = new UpsertBackend(answeredId, "d-" + app, "default", app, new BackendSpec(
                "default-" + app + "-2", List.of(), false, List.of(), null));
        try (var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            send(answered);
            events.await(r -> answeredId.equals(commandId(r)), Duration.ofSeconds(60));
            send(new UpsertBackend(oldId, "d-" + app, "default", app, new BackendSpec(backend,
                    List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null)), beyondRetention);
            send(answered, beyondRetention); // replayed from a topic that kept it longer than the outcomes are kept
            send(new UpsertBackend(laterId, "d-" + app, "default", app, new BackendSpec(
                    "default-" + app + "-3", List.of(), false, List.of(), null)));

            var rejected = events.await(r -> oldId.equals(commandId(r)), Duration.ofSeconds(60));
            events.await(r -> laterId.equals(commandId(r)), Duration.ofSeconds(60));

            assertThat(data(rejected)).isInstanceOfSatisfying(LbCommandRejected.class, r -> assertThat(r.reason())
                    .contains("longer ago than command outcomes are kept").contains("send it again under a new command id"));
            assertThat(events.records().stream().filter(r -> answeredId.equals(commandId(r))))
                    .as("the replay of a command answered before is not answered again").hasSize(1);
        }
        given().get("/backends").then().statusCode(200).body("backends.id", not(hasItem(backend)));
        var etcd = EtcdAccess.connect(List.of(SharedInfra.etcd().endpoint()), Duration.ofSeconds(5));
        try (etcd) {
            assertThat(etcd.await(etcd.client().getKVClient().get(EtcdAccess.bytes(EtcdLayout.command(oldId)))).getCount())
                    .as("a command refused for its age leaves no outcome").isZero();
        }
    }

    @Test
    void aMalformedCommandGoesToTheDeadLetterTopicWithItsReasonInOneLogLineAndConsumingGoesOn() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String laterId = UUID.randomUUID().toString();
        String marker = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"io.bgdeploy.lb.no-such-command\"}";
        try (var dlq = KafkaTestClient.reader(bootstrap, Topics.LB_COMMANDS_DLQ);
             var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS);
             var logs = LogCapture.start()) {
            KafkaTestClient.produce(bootstrap, Topics.LB_COMMANDS, "default/" + app, marker);
            send(new UpsertBackend(laterId, "d-" + app, "default", app, new BackendSpec(
                    "default-" + app + "-1", List.of(), false, List.of(), null)));

            var dead = dlq.await(r -> marker.equals(r.value()), Duration.ofSeconds(60));
            events.await(r -> laterId.equals(commandId(r)), Duration.ofSeconds(60));

            assertThat(KafkaTestClient.header(dead, Topics.DLQ_REASON_HEADER)).contains("unknown event type");
            assertThat(logs.containing("malformed record on " + Topics.LB_COMMANDS)).singleElement()
                    .satisfies(r -> assertThat(r.getLevel().intValue()).isEqualTo(Level.WARNING.intValue()))
                    .satisfies(r -> assertThat(LogCapture.message(r)).contains("unknown event type"));
            assertThat(logs.carrying(MalformedEventException.class)).isEmpty();
        }
    }

    @Test
    void anAgentThatDiedIsWaitedForAndNamedUntilAnOperatorRemovesIt() {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String dead = "agent-gone-" + UUID.randomUUID().toString().substring(0, 6);
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        try (ConfirmingAgent agent = new ConfirmingAgent(io.bgdeploy.infra.testing.SharedInfra.etcd().endpoint(), dead);
             var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS)) {
            agent.die();
            given().get("/agents").then().statusCode(200)
                    .body("agents.find { it.agentId == '" + dead + "' }.live", equalTo(false))
                    .body("agents.find { it.agentId == '" + dead + "' }.expected", equalTo(true));

            send(new UpsertBackend(first, "d-" + app, "default", app, new BackendSpec("default-" + app + "-1",
                    List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));
            var rejected = events.await(r -> first.equals(commandId(r)), Duration.ofSeconds(90));
            assertThat(data(rejected)).isInstanceOfSatisfying(LbCommandRejected.class, r -> assertThat(r.reason())
                    .contains("stored in etcd at revision").contains(dead + " (expected, not live"));

            given().delete("/agents/" + dead).then().statusCode(401);
            given().header("Authorization", "Bearer wrong").delete("/agents/" + dead).then().statusCode(401);
            given().header("Authorization", "Bearer " + AgentResource.OPERATOR_TOKEN).delete("/agents/" + AgentResource.AGENT_ID)
                    .then().statusCode(409);
            given().header("Authorization", "Bearer " + AgentResource.OPERATOR_TOKEN).delete("/agents/" + dead)
                    .then().statusCode(204);

            send(new UpsertBackend(second, "d-" + app, "default", app, new BackendSpec("default-" + app + "-1",
                    List.of(new ServerSpec("pod-2", "127.0.0.1", BLUE_PORT)), false, List.of(), null)));
            var applied = events.await(r -> second.equals(commandId(r)), Duration.ofSeconds(60));
            assertThat(data(applied)).isInstanceOfSatisfying(LbCommandApplied.class,
                    a -> assertThat(a.agents()).containsExactly(AgentResource.AGENT_ID));
        }
    }

    @Test
    void anAnswerKafkaDoesNotTakeIsRetriedThenFailsTheCommandIntoTheDeadLetterTopicInOneLogLineAndAReplayIsAnsweredOnce()
            throws Exception {
        String app = "app" + UUID.randomUUID().toString().substring(0, 6);
        String commandId = UUID.randomUUID().toString();
        UpsertBackend command = new UpsertBackend(commandId, "d-" + app, "default", app, new BackendSpec(
                "default-" + app + "-1", List.of(new ServerSpec("pod-1", "127.0.0.1", BLUE_PORT)), false, List.of(), null));
        try (var dlq = KafkaTestClient.reader(bootstrap, Topics.LB_COMMANDS_DLQ);
             var events = KafkaTestClient.reader(bootstrap, Topics.LB_EVENTS);
             var logs = LogCapture.start()) {
            KafkaTestClient.limitRecordSize(bootstrap, Topics.LB_EVENTS, 64);
            try {
                send(command);
                var dead = dlq.await(r -> r.value().contains(commandId), Duration.ofSeconds(60));
                assertThat(KafkaTestClient.header(dead, Topics.DLQ_REASON_HEADER))
                        .contains("the answer to command " + commandId).contains("not taken by Kafka")
                        .contains("replay the command");
                assertThat(logs.containing("command " + commandId + " sent to " + Topics.LB_COMMANDS_DLQ)).singleElement()
                        .satisfies(r -> assertThat(r.getLevel().intValue()).isEqualTo(Level.WARNING.intValue()));
                assertThat(logs.carrying(AnswerNotSentException.class)).isEmpty();
            } finally {
                KafkaTestClient.limitRecordSize(bootstrap, Topics.LB_EVENTS, null);
            }
            assertThat(events.records().stream().filter(r -> commandId.equals(commandId(r)))).isEmpty();

            send(command);

            var answer = events.await(r -> commandId.equals(commandId(r)), Duration.ofSeconds(60));
            assertThat(data(answer)).isInstanceOf(LbCommandApplied.class);
            String later = UUID.randomUUID().toString();
            send(new UpsertBackend(later, "d-" + app, "default", app, new BackendSpec("default-" + app + "-2", List.of(),
                    false, List.of(), null)));
            events.await(r -> later.equals(commandId(r)), Duration.ofSeconds(60));
            assertThat(events.records().stream().filter(r -> commandId.equals(commandId(r)))).hasSize(1);
        }
    }
}
