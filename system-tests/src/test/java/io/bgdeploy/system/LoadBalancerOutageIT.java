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
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * lb-config-service (with its agent) stopped with SIGSTOP while a deployment drains, and a rollback
 * asked for meanwhile: the deployer keeps both versions running past its load-balancer timeout and
 * says why on deploy-events; once lb-config runs again the frontend is switched back, green is
 * removed, exactly one version is left, and not one request through HAProxy failed.
 */
@DeployerSettings({"deployer.drain-delay=600s", "deployer.lb-timeout=15s"})
class LoadBalancerOutageIT extends SuiteTestSupport {

    private static final Duration LB_TIMEOUT = Duration.ofSeconds(15);

    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }

    private static int rollBack(String deploymentId) throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create(suite.service(Suite.DEPLOYER)
                        .url("/deployments/" + deploymentId + "/rollback?namespace=default")))
                .header("Authorization", "Bearer " + suite.token()).POST(HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(post, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static List<String> backendsOfTheApp() throws Exception {
        JsonNode backends = json(get(suite.service(Suite.LB_CONFIG).url("/backends"))).path("backends");
        return backends.findValuesAsText("id").stream().filter(id -> id.startsWith("default-" + APP + "-")).toList();
    }

    @Test
    void aRollbackWhileTheLoadBalancerIsStoppedKeepsBothVersionsUntilItAnswersAndNoRequestFails() throws Exception {
        DeploymentFinished v1 = requestAndAwait(descriptor(Map.of()));
        assertThat(v1.status()).as("first deployment: %s", v1.reason()).isEqualTo(DeploymentStatus.DEPLOYED);
        long lbConfig = suite.service(Suite.LB_CONFIG).process().pid();

        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                400_000, Duration.ofMinutes(8), Duration.ofMillis(5));
             var events = KafkaTestClient.reader(suite.kafkaBootstrap(), Topics.DEPLOY_EVENTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version " + v1.version()));
            String v2 = request(events, descriptor(Map.of()));
            events.await(r -> data(r) instanceof DeploymentPhaseChanged p && v2.equals(p.deploymentId())
                    && p.phase() == DeploymentPhase.DRAINING, Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version 2"));

            signal(lbConfig, "STOP");
            try {
                assertThat(rollBack(v2)).isEqualTo(202);
                DeploymentPhaseChanged kept = (DeploymentPhaseChanged) data(events.await(r -> data(r) instanceof DeploymentPhaseChanged p
                        && v2.equals(p.deploymentId()) && p.phase() == DeploymentPhase.ROLLING_BACK && p.message() != null
                        && p.message().startsWith("both versions keep running"), Duration.ofMinutes(1)));
                assertThat(kept.message()).contains(HOST);
                // past the load-balancer timeout once more: green, which the frontend still routes to, keeps running
                await().during(LB_TIMEOUT.plusSeconds(1)).atMost(LB_TIMEOUT.plusSeconds(20)).until(() ->
                        events.find(r -> data(r) instanceof DeploymentFinished f && v2.equals(f.deploymentId())).isEmpty()
                                && versionsOnDashboard().containsAll(List.of(v1.version(), "2")));
                assertThat(traffic.lastBody()).contains("version 2");
            } finally {
                signal(lbConfig, "CONT");
            }

            DeploymentFinished rolledBack = (DeploymentFinished) data(events.await(r -> data(r) instanceof DeploymentFinished f
                    && v2.equals(f.deploymentId()), Duration.ofMinutes(3)));
            assertThat(rolledBack.status()).isEqualTo(DeploymentStatus.FAILURE);
            assertThat(rolledBack.reason()).contains("rolled back on request of");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(backendsOfTheApp()).as("backends of %s", APP).containsExactly("default-" + APP + "-" + v1.version());
                assertThat(versionsOnDashboard()).as("versions with pods").containsExactly(v1.version());
                assertThat(traffic.lastBody()).contains("version " + v1.version());
            });
            long after = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > after + 50);
            traffic.close();
            assertThat(traffic.failed()).as("failed requests through HAProxy (%s) of %d", traffic.failures(), traffic.sent())
                    .isZero();
        }
    }
}
