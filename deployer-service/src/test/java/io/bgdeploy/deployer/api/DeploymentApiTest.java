package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * The reference deployer's scenarios through the REST API, on the local platform, with real Kafka
 * and etcd; health-service and lb-config-service are played by {@link KafkaSuiteDoubles} (which
 * probes the pods' health endpoints for real).
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
public class DeploymentApiTest {

    static KafkaSuiteDoubles suite;

    @BeforeAll
    static void playTheRestOfTheSuite() {
        suite = KafkaSuiteDoubles.start(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    public static String descriptor(String app, String version, String extra) {
        return """
                {"namespace": "default", "appName": "%s", "newVersion": "%s", "replicas": 1,
                 "frontend": "%s.example.com", "useHealthCheck": true, "healthCheckPath": "/health",
                 "healthCheckType": "simple" %s,
                 "podspec": {"containers": [{"name": "web", "image": "nginx",
                   "ports": [{"name": "http", "containerPort": 80}]}]}}
                """.formatted(app, version, app, extra);
    }

    public static String createDescriptor(String json) {
        String location = given().body(json).post("/descriptors/?namespace=default")
                .then().statusCode(201).header("Location", startsWith("/descriptors/")).extract().header("Location");
        return location.substring("/descriptors/".length(), location.indexOf("/?"));
    }

    public static String startDeployment(String descriptorId) {
        String location = given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
        assertThat(location).endsWith("/?namespace=default");
        return location.substring("/deployments/".length(), location.indexOf("/?"));
    }

    public static Response awaitFinal(String deploymentId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String status = given().get("/deployments/" + deploymentId + "/?namespace=default").jsonPath().getString("status");
            return !status.equals("DEPLOYING") && !status.equals("UNDEPLOYING");
        });
        return given().get("/deployments/" + deploymentId + "/?namespace=default");
    }

    public static String deploy(String json) {
        return startDeployment(createDescriptor(json));
    }

    /** What the app answers on the server the load balancer routes the host name to. */
    static String servedBy(String hostname) throws Exception {
        String backend = suite.lb.frontends.get(HostName.of(hostname));
        UpsertBackend upsert = suite.lb.backends.get(backend);
        ServerSpec server = upsert.backend().servers().get(0);
        return HttpClients.http11(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create("http://" + server.address() + ":"
                + server.port() + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void consecutiveDeploymentsAutoIncrementAndTheNewVersionServes() throws Exception {
        String descriptorId = createDescriptor(descriptor("consecutive", "#", ""));
        Response first = awaitFinal(startDeployment(descriptorId));
        assertThat(first.jsonPath().getString("status")).isEqualTo("DEPLOYED");
        assertThat(first.jsonPath().getString("version")).isEqualTo("1");
        assertThat(servedBy("consecutive.example.com")).contains("consecutive version 1");

        Response second = awaitFinal(startDeployment(descriptorId));
        assertThat(second.jsonPath().getString("status")).isEqualTo("DEPLOYED");
        assertThat(second.jsonPath().getString("version")).isEqualTo("2");
        assertThat(suite.lb.frontends.get(HostName.of("consecutive.example.com"))).isEqualTo("default-consecutive-2");
        assertThat(servedBy("consecutive.example.com")).contains("consecutive version 2");
        assertThat(suite.lb.backends).doesNotContainKey("default-consecutive-1");

        given().get("/deployments/?namespace=default&appname=consecutive").then().statusCode(200)
                .header("X-Total-Count", "2")
                .body("version", org.hamcrest.Matchers.contains("2", "1"))
                .body("status", org.hamcrest.Matchers.contains("DEPLOYED", "UNDEPLOYED"));
        String id = second.jsonPath().getString("id");
        given().get("/deployments/" + id + "/logs?namespace=default").then().statusCode(200)
                .body(containsString("phase SWITCHING")).body(containsString("phase REMOVING_BLUE"));
        given().get("/deployments/" + id + "/healthcheckdata?namespace=default").then().statusCode(200)
                .body(containsString("READY"));
    }

    /**
     * Failed {@code simple} and {@code probe} health checks and a failed first deployment, run side
     * by side (each waits for the whole health deadline): every one ends in FAILURE, blue still
     * serves, and the first deployment leaves no frontend and no backend.
     */
    @Test
    void failedHealthChecksFailAndBlueStillServes() throws Exception {
        String simpleBlue = deploy(descriptor("simplefail", "#", ""));
        String probeBlue = deploy(descriptor("probefail", "#", "").replace("\"simple\"", "\"probe\""));
        assertThat(awaitFinal(simpleBlue).jsonPath().getString("status")).isEqualTo("DEPLOYED");
        assertThat(awaitFinal(probeBlue).jsonPath().getString("status")).isEqualTo("DEPLOYED");

        String simpleGreen = deploy(descriptor("simplefail", "#", "").replace("\"/health\"", "\"/missing\""));
        String probeGreen = deploy(descriptor("probefail", "#", "")
                .replace("\"simple\"", "\"probe\"").replace("\"/health\"", "\"/\""));
        String firstFail = deploy(descriptor("firstfail", "#", "").replace("\"/health\"", "\"/missing\""));

        Response simple = awaitFinal(simpleGreen);
        assertThat(simple.jsonPath().getString("status")).isEqualTo("FAILURE");
        assertThat(simple.jsonPath().getString("reason")).contains("health check failed").contains("HTTP 404");
        assertThat(suite.lb.frontends.get(HostName.of("simplefail.example.com"))).isEqualTo("default-simplefail-1");
        assertThat(servedBy("simplefail.example.com")).contains("simplefail version 1");

        Response probe = awaitFinal(probeGreen);
        assertThat(probe.jsonPath().getString("status")).isEqualTo("FAILURE");
        assertThat(probe.jsonPath().getString("reason")).contains("healthy");
        assertThat(suite.lb.frontends.get(HostName.of("probefail.example.com"))).isEqualTo("default-probefail-1");
        assertThat(servedBy("probefail.example.com")).contains("probefail version 1");

        assertThat(awaitFinal(firstFail).jsonPath().getString("status")).isEqualTo("FAILURE");
        assertThat(suite.lb.frontends).doesNotContainKey(HostName.of("firstfail.example.com"));
        assertThat(suite.lb.backends).doesNotContainKey("default-firstfail-1");
    }

    @Test
    void ignoredFailingHealthCheckSucceeds() {
        Response d = awaitFinal(deploy(descriptor("ignored", "#", ", \"ignoreHealthCheck\": true")
                .replace("\"/health\"", "\"/missing\"")));
        assertThat(d.jsonPath().getString("status")).isEqualTo("DEPLOYED");
    }

    @Test
    void deploymentWithoutHealthCheckSucceeds() {
        Response d = awaitFinal(deploy(descriptor("nohealth", "#", "").replace("\"useHealthCheck\": true", "\"useHealthCheck\": false")));
        assertThat(d.jsonPath().getString("status")).isEqualTo("DEPLOYED");
    }

    @Test
    void redeployOfTheSameVersionFails() {
        String descriptorId = createDescriptor(descriptor("sameversion", "3", ""));
        assertThat(awaitFinal(startDeployment(descriptorId)).jsonPath().getString("status")).isEqualTo("DEPLOYED");

        given().post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(409).body("error", containsString("already deployed"));
    }

    @Test
    void fiveConcurrentDeploymentsOfDifferentAppsAllSucceed() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(deploy(descriptor("parallel" + i, "#", "")));
        }
        for (String id : ids) {
            assertThat(awaitFinal(id).jsonPath().getString("status")).isEqualTo("DEPLOYED");
        }
        for (int i = 1; i <= 5; i++) {
            assertThat(suite.lb.frontends)
                    .containsEntry(HostName.of("parallel" + i + ".example.com"), "default-parallel" + i + "-1");
        }
    }

    @Test
    void aFrontendGivenInUpperCaseIsRoutedAndListedAsTheLowerCaseHostName() {
        String id = deploy(descriptor("mixedcase", "#", "").replace("\"mixedcase.example.com\"", "\"MixedCase.Example.COM\""));
        assertThat(awaitFinal(id).jsonPath().getString("status")).isEqualTo("DEPLOYED");

        assertThat(suite.lb.frontends).containsEntry(HostName.of("mixedcase.example.com"), "default-mixedcase-1");
        assertThat(given().get("/apps/?namespace=default").jsonPath().getString("find { it.appName == 'mixedcase' }.frontend"))
                .as("the host name HAProxy compares the Host header with")
                .isEqualTo("mixedcase.example.com");
    }

    @Test
    void undeployRemovesFrontendAndWorkload() {
        String id = deploy(descriptor("undeployme", "#", ""));
        assertThat(awaitFinal(id).jsonPath().getString("status")).isEqualTo("DEPLOYED");

        given().delete("/deployments/" + id + "/?namespace=default").then().statusCode(202);

        assertThat(awaitFinal(id).jsonPath().getString("status")).isEqualTo("UNDEPLOYED");
        assertThat(suite.lb.frontends).doesNotContainKey(HostName.of("undeployme.example.com"));
        given().delete("/deployments/" + id + "?namespace=default&deleteDeployment=true").then().statusCode(204);
        given().get("/deployments/" + id + "?namespace=default").then().statusCode(404);
    }

    @Test
    void badDescriptorsGetEveryProblemWith400() {
        given().body("""
                {"appName": "Not_A_Label", "replicas": 0, "frontend": "http://x.example.com",
                 "podspec": {"containers": []}}""")
                .post("/descriptors/?namespace=default")
                .then().statusCode(400)
                .body("problems", hasItem(startsWith("appName")))
                .body("problems", hasItem(startsWith("replicas")))
                .body("problems", hasItem(startsWith("frontend")))
                .body("problems", hasItem(startsWith("podspec.containers")));
        given().body("{\"appName\": \"x\", \"unknownField\": 1}").post("/descriptors/validate")
                .then().statusCode(400).body("problems[0]", containsString("unknownField"));
        given().body(descriptor("valid", "#", "")).post("/descriptors/validate").then().statusCode(200);
        given().get("/deployments/nope-00000000?namespace=default").then().statusCode(404);
    }

    @Test
    void mutatingCallsNeedATokenThatMayUseTheNamespace() {
        String json = descriptor("secured", "#", "").replace("\"default\"", "\"team-a\"");
        given().body(json).post("/descriptors/?namespace=team-a").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Bearer wrong").body(json).post("/descriptors/?namespace=team-a")
                .then().statusCode(401);
        given().header("Authorization", "Bearer test-token-other").body(json).post("/descriptors/?namespace=team-a")
                .then().statusCode(403);
        given().header("Authorization", "Bearer test-token-ci").body(json).post("/descriptors?namespace=team-a")
                .then().statusCode(201);
        given().header("Authorization", "Bearer test-token-ci").get("/descriptors?namespace=team-a&appname=secured")
                .then().statusCode(200).body("appName", hasItem("secured"));
    }

    /** The value of a sample on /q/metrics with that name and label, 0 when there is none yet. */
    private static double metric(String name, String label, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*" + label + "=\"" + value
                + "\"[^}]*} (\\S+)$").matcher(RestAssured.given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void metricsCountTheAnswersAndFinishedDeploymentsAndTimeThePhases() {
        double accepted = metric("deployer_requests_total", "answer", "accepted");
        double conflicts = metric("deployer_requests_total", "answer", "conflict");
        double deployed = metric("deployer_deployments_finished_total", "status", "DEPLOYED");
        double durations = metric("deployer_deployment_duration_seconds_count", "status", "DEPLOYED");
        double healthWaits = metric("deployer_phase_duration_seconds_count", "phase", "WAITING_FOR_HEALTH");
        double preparations = metric("deployer_phase_duration_seconds_count", "phase", "PREPARING");

        String descriptorId = createDescriptor(descriptor("metered", "7", ""));
        assertThat(awaitFinal(startDeployment(descriptorId)).jsonPath().getString("status")).isEqualTo("DEPLOYED");
        given().post("/deployments/?namespace=default&descriptorId=" + descriptorId).then().statusCode(409);

        assertThat(metric("deployer_requests_total", "answer", "accepted")).isGreaterThanOrEqualTo(accepted + 1);
        assertThat(metric("deployer_requests_total", "answer", "conflict")).isGreaterThanOrEqualTo(conflicts + 1);
        assertThat(metric("deployer_deployments_finished_total", "status", "DEPLOYED")).isGreaterThanOrEqualTo(deployed + 1);
        assertThat(metric("deployer_deployment_duration_seconds_count", "status", "DEPLOYED"))
                .isGreaterThanOrEqualTo(durations + 1);
        assertThat(metric("deployer_phase_duration_seconds_count", "phase", "WAITING_FOR_HEALTH"))
                .isGreaterThanOrEqualTo(healthWaits + 1);
        assertThat(metric("deployer_phase_duration_seconds_count", "phase", "PREPARING"))
                .isGreaterThanOrEqualTo(preparations + 1);
        assertThat(RestAssured.given().get("/q/metrics").asString()).contains("deployer_deployments_running ",
                "deployer_takeovers_total ", "deployer_lock_losses_total ");
    }

    @Test
    void openApiDocumentDescribesTheApi() {
        RestAssured.given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/deployments/{id}/healthcheckdata"));
    }
}
