package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;
import io.bgdeploy.infra.testing.KafkaTestClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kill -9 of each service during a deployment, then a restart: the deployment must end DEPLOYED or
 * cleanly rolled back, one version must remain, and no request through HAProxy may fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT extends SuiteTestSupport {

    @Test
    @Order(1)
    void aFirstVersionIsServing() throws Exception {
        DeploymentFinished v1 = requestAndAwait(descriptor(Map.of()));
        assertThat(v1.status()).as("first deployment: %s", v1.reason()).isEqualTo(DeploymentStatus.DEPLOYED);
    }

    @ParameterizedTest(name = "kill -9 of {0} during a deployment")
    @ValueSource(strings = {Suite.DEPLOYER, Suite.LB_CONFIG, Suite.LB_AGENT, Suite.HEALTH, Suite.LOG_SHIPPER})
    @Order(2)
    void aServiceKilledDuringADeploymentAndRestartedLeavesOneCleanVersionAndNoFailedRequest(String module) throws Exception {
        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                400_000, Duration.ofMinutes(6), Duration.ofMillis(5));
             var events = KafkaTestClient.reader(suite.kafkaBootstrap(), Topics.DEPLOY_EVENTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > 10);
            String deploymentId = request(events, descriptor(Map.of()));
            DeploymentPhase killAt = module.equals(Suite.LB_CONFIG) || module.equals(Suite.LB_AGENT)
                    ? DeploymentPhase.SWITCHING : DeploymentPhase.WAITING_FOR_HEALTH;
            events.await(r -> data(r) instanceof DeploymentPhaseChanged p && deploymentId.equals(p.deploymentId())
                    && p.phase() == killAt, Duration.ofMinutes(2));

            suite.service(module).kill();
            suite.service(module).restart();

            DeploymentFinished finished = (DeploymentFinished) data(events.await(r -> data(r) instanceof DeploymentFinished f
                    && deploymentId.equals(f.deploymentId()), Duration.ofMinutes(3)));
            assertThat(finished.status()).isIn(DeploymentStatus.DEPLOYED, DeploymentStatus.FAILURE);
            String serving = "default-" + APP + "-";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode backends = json(get(suite.service(Suite.LB_CONFIG).url("/backends"))).path("backends");
                assertThat(backends.findValuesAsText("id").stream().filter(id -> id.startsWith(serving)).toList())
                        .as("backends of %s after %s", APP, finished).hasSize(1);
                assertThat(versionsOnDashboard()).as("versions with pods").hasSize(1);
            });
            long after = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > after + 50);
            traffic.close();
            assertThat(traffic.failed()).as("failed requests through HAProxy: %s", traffic.failures()).isZero();
        }
    }
}
