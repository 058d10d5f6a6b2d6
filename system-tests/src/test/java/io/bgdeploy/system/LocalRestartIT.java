package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
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
 * following them).
 */
class LocalRestartIT extends SuiteTestSupport {

    private static final String OTHER_APP = "second";
    private static final String OTHER_HOST = "second.localhost";

    private static Descriptor otherApp() throws Exception {
        ObjectNode d = EventCodec.mapper().valueToTree(descriptor(Map.of()));
        d.put("appName", OTHER_APP).put("frontend", OTHER_HOST);
        return EventCodec.mapper().treeToValue(d, Descriptor.class);
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
    void twoAppsServeAgainAfterTheSuiteIsStoppedAndStartedWithoutANewDeployment(TestInfo test) throws Exception {
        DeploymentFinished first = requestAndAwait(descriptor(Map.of()));
        DeploymentFinished second = requestAndAwait(otherApp());
        assertThat(List.of(first.status(), second.status())).containsOnly(DeploymentStatus.DEPLOYED);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                answer(HOST).contains("version 1") && answer(OTHER_HOST).contains("version 1"));
        List<String> before = new ArrayList<>(deployments(APP));
        before.addAll(deployments(OTHER_APP));

        Suite.Options options = suite.options();
        suite.close();
        suite = Suite.start(options, System.out, Map.of(Suite.DEPLOYER, deployerSettings(test)));
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
    }
}
