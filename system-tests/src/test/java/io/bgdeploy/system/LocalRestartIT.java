package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.infra.RestoreReport;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The suite stopped and started again, as a laptop that is restarted: the local platform's pods
 * stopped with it, and the two apps deployed before serve again through HAProxy, on the version
 * they served, without any new deployment (their pods started again on new ports, the backends
 * following them). While they do not serve yet, the health dashboard shows the serving alert of
 * each; the test holds the restarted apps back until it has seen the alerts, so that seeing them
 * races neither the apps' start nor the alert's grace time.
 */
@DeployerSettings("deployer.health-deadline=60s") // the default: this test waits for no failed check, and the
// source-launched sample app took over the suite's 30 s to start on the shared machine under load
class LocalRestartIT extends SuiteTestSupport {

    private static final String OTHER_APP = "second";
    private static final String OTHER_HOST = "second.localhost";

    /**
     * The sample app, started only once the file {@code hold} does not exist: absent for the
     * deployments, present while the suite starts again.
     */
    private static Descriptor heldBack(String app, String host, Path hold) throws Exception {
        ObjectNode d = EventCodec.mapper().valueToTree(descriptor(Map.of()));
        d.put("appName", app).put("frontend", host);
        ArrayNode command = (ArrayNode) d.at("/podspec/containers/0/command");
        StringBuilder java = new StringBuilder("exec");
        command.forEach(arg -> java.append(" '").append(arg.asText()).append('\''));
        command.removeAll().add("sh").add("-c").add("while [ -e '" + hold + "' ]; do sleep 0.2; done; " + java);
        return EventCodec.mapper().treeToValue(d, Descriptor.class);
    }

    /** The serving alerts the health dashboard shows now, as {@code <app> <condition>}. */
    private static List<String> servingAlertsOnDashboard() throws Exception {
        List<String> alerts = new ArrayList<>();
        for (JsonNode a : json(get(suite.service(Suite.HEALTH).url("/api/dashboard"))).path("servingAlerts")) {
            alerts.add(a.path("appName").asText() + " " + a.path("condition").asText());
        }
        return alerts;
    }

    private static boolean serves(String host) {
        try {
            answer(host);
            return true;
        } catch (Exception notServing) {
            return false;
        }
    }

    /** The app's deployments as the deployer lists them: id and status. */
    private static List<String> deployments(String app) throws Exception {
        List<String> result = new ArrayList<>();
        for (JsonNode d : json(get(suite.service(Suite.DEPLOYER).url("/deployments/?namespace=default&appname=" + app)))) {
            result.add(d.path("id").asText() + " " + d.path("status").asText());
        }
        return result;
    }

    private static String answer(String host) throws Exception {
        return TrafficGenerator.get(suite.options().lbPublicPort(), host, "/");
    }

    @Test
    void twoAppsServeAgainAfterTheSuiteIsStoppedAndStartedWithoutANewDeploymentAndTheDashboardAlertsMeanwhile(
            TestInfo test) throws Exception {
        Path hold = suite.options().workDir().resolve("hold-the-apps");
        DeploymentFinished first = requestAndAwait(heldBack(APP, HOST, hold));
        DeploymentFinished second = requestAndAwait(heldBack(OTHER_APP, OTHER_HOST, hold));
        assertThat(List.of(first.status(), second.status())).containsOnly(DeploymentStatus.DEPLOYED);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                answer(HOST).contains("version 1") && answer(OTHER_HOST).contains("version 1"));
        List<String> before = new ArrayList<>(deployments(APP));
        before.addAll(deployments(OTHER_APP));

        assertThat(servingAlertsOnDashboard()).isEmpty();

        Files.createFile(hold);
        Suite.Options options = suite.options();
        suite.close();
        suite = Suite.start(options, System.out, Map.of(Suite.DEPLOYER, deployerSettings(test)));

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                assertThat(servingAlertsOnDashboard()).as("alerts while the restarted apps do not serve")
                        .contains(APP + " NO_SERVING_POD", OTHER_APP + " NO_SERVING_POD"));
        assertThat(serves(HOST) || serves(OTHER_HOST)).as("an app with an alert does not serve").isFalse();

        Files.delete(hold);
        RestoreReport.Result restored = RestoreReport.await(suite, Duration.ofMinutes(3), System.out);

        assertThat(restored.hosts()).containsExactlyInAnyOrder(HOST, OTHER_HOST);
        assertThat(restored.servedAfterSeconds()).as("served again").containsOnlyKeys(HOST, OTHER_HOST);
        assertThat(restored.restoredWorkloads()).as("workloads started again").isEqualTo(2);
        assertThat(answer(HOST)).contains(APP).contains("version 1");
        assertThat(answer(OTHER_HOST)).contains(OTHER_APP).contains("version 1");
        List<String> after = new ArrayList<>(deployments(APP));
        after.addAll(deployments(OTHER_APP));
        assertThat(after).as("no new deployment, none changed").isEqualTo(before);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(versionsOnDashboard()).as("versions of %s with pods", APP).containsExactly("1"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(servingAlertsOnDashboard()).as("alerts once both serve again").isEmpty());
    }
}
