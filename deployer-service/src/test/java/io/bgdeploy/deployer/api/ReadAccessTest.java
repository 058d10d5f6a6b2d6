package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

/**
 * Reads of a namespace are as protected as changes: descriptors (their {@code environment} values),
 * deployments (which carry their descriptor), logs, health-check data, the apps list and the live
 * stream answer 401 without a token or with an unknown one, 403 to a token of another namespace,
 * and 200 to a token of the namespace. A namespace open without a token (the reference script's)
 * stays readable without one.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class ReadAccessTest {

    static final String SECRET = "s3cret-db-password-4711";
    static final String CI = "Bearer test-token-ci";
    static final String OTHER = "Bearer test-token-other";

    static String descriptorId;
    static String deploymentId;

    /** One read, and a piece of what its 200 answer shows (so a refusal is seen to hide it). */
    record Read(String path, String shows) {
    }

    @BeforeAll
    static void playTheRestOfTheSuite() {
        KafkaSuiteDoubles.start(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    /** Once per class, in a test (the REST port is known only then). */
    static synchronized void deployAnAppWithASecretInTeamA() {
        if (deploymentId != null) {
            return;
        }
        String json = DeploymentApiTest.descriptor("readsecured", "#", ", \"environment\": {\"DB_PASSWORD\": \"" + SECRET + "\"}")
                .replace("\"default\"", "\"team-a\"");
        String location = given().header("Authorization", CI).body(json).post("/descriptors/?namespace=team-a")
                .then().statusCode(201).extract().header("Location");
        descriptorId = location.substring("/descriptors/".length(), location.indexOf("/?"));
        location = given().header("Authorization", CI).post("/deployments/?namespace=team-a&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
        deploymentId = location.substring("/deployments/".length(), location.indexOf("/?"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> "DEPLOYED".equals(
                given().header("Authorization", CI).get("/deployments/" + deploymentId + "/?namespace=team-a")
                        .jsonPath().getString("status")));
    }

    static List<Read> readsOfTeamA() {
        deployAnAppWithASecretInTeamA();
        String deployment = "/deployments/" + deploymentId;
        return List.of(
                new Read("/descriptors/?namespace=team-a", SECRET),
                new Read("/descriptors/?namespace=team-a&appname=readsecured", SECRET),
                new Read("/descriptors/" + descriptorId + "/?namespace=team-a", SECRET),
                new Read("/deployments/?namespace=team-a&appname=readsecured", SECRET),
                new Read(deployment + "/?namespace=team-a", SECRET),
                new Read(deployment + "/logs?namespace=team-a", "phase SWITCHING"),
                new Read(deployment + "/healthcheckdata?namespace=team-a", "READY"),
                new Read(deployment + "/stream?namespace=team-a", "\"kind\":\"end\""),
                new Read("/apps/?namespace=team-a", "readsecured.example.com"));
    }

    @Test
    void everyReadOfANamespaceNeedsATokenOfThatNamespace() {
        for (Read read : readsOfTeamA()) {
            String anonymous = given().get(read.path()).then().statusCode(401)
                    .header("WWW-Authenticate", startsWith("Bearer"))
                    .body("error", containsString("a bearer token is required to read namespace team-a"))
                    .extract().asString();
            assertThat(anonymous).as("401 of %s", read.path()).doesNotContain(SECRET, "readsecured.example.com");
            given().header("Authorization", "Bearer not-a-token").get(read.path()).then().statusCode(401)
                    .body("error", containsString("not valid"));
            String forbidden = given().header("Authorization", OTHER).get(read.path()).then().statusCode(403)
                    .body("error", containsString("token 'other' may not read namespace team-a"))
                    .extract().asString();
            assertThat(forbidden).as("403 of %s", read.path()).doesNotContain(SECRET);
            given().header("Authorization", CI).get(read.path()).then().statusCode(200)
                    .body(containsString(read.shows()));
        }
    }

    @Test
    void whetherADeploymentExistsIsNotToldWithoutAToken() {
        for (String path : List.of("/deployments/no-such-deployment/?namespace=team-a",
                "/deployments/no-such-deployment/logs?namespace=team-a",
                "/deployments/no-such-deployment/healthcheckdata?namespace=team-a",
                "/deployments/no-such-deployment/stream?namespace=team-a",
                "/descriptors/no-such-descriptor/?namespace=team-a")) {
            given().get(path).then().statusCode(401);
            given().header("Authorization", OTHER).get(path).then().statusCode(403);
            given().header("Authorization", CI).get(path).then().statusCode(404);
        }
    }

    @Test
    void theStreamFollowsADeploymentForATokenOfItsNamespace() {
        deployAnAppWithASecretInTeamA();
        RequestSpecification stream = given().header("Authorization", CI).accept("text/event-stream");
        String events = stream.get("/deployments/" + deploymentId + "/stream?namespace=team-a").then().statusCode(200)
                .contentType(startsWith("text/event-stream")).extract().asString();
        assertThat(events).contains("\"kind\":\"deployment\"", "\"status\":\"DEPLOYED\"", "\"kind\":\"log\"",
                "\"kind\":\"health\"", "\"kind\":\"end\"");
    }

    @Test
    void aNamespaceOpenWithoutATokenStaysReadableWithoutOne() {
        String id = DeploymentApiTest.deploy(DeploymentApiTest.descriptor("readopen", "#", ""));
        assertThat(DeploymentApiTest.awaitFinal(id).jsonPath().getString("status")).isEqualTo("DEPLOYED");
        for (String path : List.of("/descriptors/?namespace=default&appname=readopen",
                "/deployments/?namespace=default&appname=readopen", "/deployments/" + id + "/?namespace=default",
                "/deployments/" + id + "/logs?namespace=default", "/deployments/" + id + "/healthcheckdata?namespace=default",
                "/deployments/" + id + "/stream?namespace=default", "/apps/?namespace=default")) {
            given().get(path).then().statusCode(200);
        }
        given().header("Authorization", OTHER).get("/deployments/" + id + "/?namespace=default").then().statusCode(403);
    }
}
