package io.bgdeploy.deployer;

import io.bgdeploy.deployer.testing.DeployEvents;
import io.bgdeploy.deployer.testing.DeployerProcesses;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.deployer.testing.TestSigningKeys;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.testing.DeployRequests;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two packaged deployer instances (one consumer group, one etcd): a burst of deploy requests for one
 * app published by CI in one Kafka batch, then requests through the REST API of either instance in
 * turn. The app's deployments run in the order the requests were received, each replacing the one
 * before it, and the app ends at the last requested version.
 */
class RequestOrderIT {

    private static final int KAFKA_REQUESTS = 6;
    private static final int REST_REQUESTS = 4;

    private final List<Integer> ports = List.of(FreePorts.next(), FreePorts.next());
    private DeployerProcesses deployers;

    @AfterEach
    void stop() throws Exception {
        deployers.close();
    }

    private static String descriptor(String app, int version) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "%d", "frontend": "%s.example.com",
                 "useHealthCheck": true, "healthCheckPath": "/health",
                 "podspec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
                """.formatted(app, version, app);
    }

    /** Publishes the requests from one producer in one batch, as a CI job that releases several builds at once. */
    private static List<String> publishBurst(String app, int versions) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "200");
        List<String> requestIds = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int v = 1; v <= versions; v++) {
                Descriptor d = EventCodec.read(descriptor(app, v).getBytes(StandardCharsets.UTF_8), Descriptor.class);
                String requestId = "burst-" + v + "-" + UUID.randomUUID();
                EventEnvelope<DeployRequested> env = EventEnvelope.of("/ci", new DeployRequested(requestId, "ci", d));
                String value = EventCodec.encodeToString(env);
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.DEPLOY_REQUESTS, env.key(), value);
                DeployRequests.headers(value, TestSigningKeys.of("default"))
                        .forEach((name, header) -> record.headers().add(name, header.getBytes(StandardCharsets.UTF_8)));
                producer.send(record);
                requestIds.add(requestId);
            }
            producer.flush();
        }
        return requestIds;
    }


    @Test
    void oneAppsRequestsRunInTheOrderReceivedOverKafkaAndRestAcrossTwoInstances() throws Exception {
        deployers = new DeployerProcesses(Path.of("target", "order-it-" + UUID.randomUUID()), "order-it");
        KafkaSuiteDoubles doubles = KafkaSuiteDoubles.start(SharedInfra.kafka().bootstrapServers());
        for (int i = 0; i < ports.size(); i++) {
            deployers.start("order-" + i, ports.get(i), "deployer.instance.name=order-" + i, "deployer.drain-delay=0s",
                    "deployer.health-deadline=60s", "deployer.instance.orphan-sweep-interval=2s");
        }
        String app = "ordered-" + UUID.randomUUID().toString().substring(0, 6);

        try (var events = KafkaTestClient.reader(SharedInfra.kafka().bootstrapServers(), Topics.DEPLOY_EVENTS)) {
            List<String> requestIds = publishBurst(app, KAFKA_REQUESTS);
            List<String> ids = new ArrayList<>();
            for (String requestId : requestIds) {
                ids.add(DeployEvents.acceptedAs(events, requestId, Duration.ofSeconds(60)));
            }
            for (int v = KAFKA_REQUESTS + 1; v <= KAFKA_REQUESTS + REST_REQUESTS; v++) {
                ids.add(DeployerProcesses.deploy(ports.get(v % 2), descriptor(app, v)));
            }
            int last = KAFKA_REQUESTS + REST_REQUESTS;

            int port = ports.get(0);
            await().atMost(Duration.ofMinutes(4)).until(() -> "DEPLOYED".equals(DeployerProcesses.field(port, ids.get(last - 1), "status")));
            JsonPath history = DeployerProcesses.api(port).get("/deployments/?namespace=default&appname=" + app).jsonPath();
            List<String> oldestFirst = new ArrayList<>(history.getList("id"));
            Collections.reverse(oldestFirst);
            assertThat(oldestFirst).as("listed in the order received").containsExactlyElementsOf(ids);
            for (int v = 1; v <= last; v++) {
                String id = ids.get(v - 1);
                assertThat(DeployerProcesses.field(port, id, "version")).isEqualTo(String.valueOf(v));
                assertThat(DeployerProcesses.field(port, id, "blueVersion")).as("version %d replaced the one received before it", v)
                        .isEqualTo(v == 1 ? null : String.valueOf(v - 1));
                assertThat(DeployerProcesses.field(port, id, "status")).isEqualTo(v == last ? "DEPLOYED" : "UNDEPLOYED");
            }
            assertThat(doubles.lb.frontends)
                    .containsEntry(HostName.of(app + ".example.com"), "default-" + app + "-" + last);
            // only this app's pods: a deployer that starts restores the serving versions other tests left in the shared etcd
            // a replaced version's pods stop in the background, within their grace period; a version replaced by the
            // other instance keeps the pods this one started (local pods belong to their process) until its orphan sweep
            for (int v = 1; v < last; v++) {
                String workload = app + "-" + v;
                await().alias("pods of replaced version " + v).atMost(Duration.ofSeconds(30))
                        .until(() -> deployers.livePods(workload).isEmpty());
            }
            assertThat(deployers.livePods(app + "-" + last)).as("pods of the last version").isNotEmpty();
        }
    }
}
