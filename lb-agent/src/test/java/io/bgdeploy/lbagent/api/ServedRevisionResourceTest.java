package io.bgdeploy.lbagent.api;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lbagent.testing.AgentAppResource;
import io.bgdeploy.lbagent.testing.LbConfigWriter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged application's {@code GET /served-revision}: a caller that asks for a revision not
 * served yet is answered once HAProxy serves it, with the agent's id; bad input is refused with
 * what is expected.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
@QuarkusTestResource(AgentAppResource.class)
class ServedRevisionResourceTest {

    @Test
    void aCallerWaitingForARevisionIsAnsweredOnceHaproxyServesIt() throws Exception {
        try (LbConfigWriter writer = new LbConfigWriter(SharedInfra.etcd().endpoint())) {
            long before = writer.upsertBackend(new AppRef("default", "served"), new BackendSpec("default-served-1",
                    List.of(new ServerSpec("s1", "127.0.0.1", 9)), false, List.of(), null));
            writer.awaitApplied(AgentAppResource.AGENT_ID, before, Duration.ofSeconds(60));
            // the agent's own report comes after "before": the next configuration change is the switch
            long next = before + 1;
            CompletableFuture<Long> answer = CompletableFuture.supplyAsync(() -> given()
                    .queryParam("atLeast", next).queryParam("waitMs", 30_000)
                    .get("/served-revision").then().statusCode(200)
                    .body("agentId", equalTo(AgentAppResource.AGENT_ID))
                    .extract().jsonPath().getLong("revision"));

            long revision = writer.switchFrontend(FrontendSpec.http(HostName.of("served.example.com")), "default-served-1");

            assertThat(answer.get()).as("answered once the switch is served").isGreaterThanOrEqualTo(revision);
        }
    }

    @Test
    void aWaitThatEndsIsAnsweredWithWhatIsServed() {
        long served = given().queryParam("atLeast", Long.MAX_VALUE).queryParam("waitMs", 100)
                .get("/served-revision").then().statusCode(200).extract().jsonPath().getLong("revision");
        assertThat(served).isLessThan(Long.MAX_VALUE);
    }

    @Test
    void badInputIsRefusedWithWhatIsExpected() {
        given().get("/served-revision").then().statusCode(400).body(containsString("atLeast is required"));
        given().queryParam("atLeast", "x<script>").get("/served-revision").then().statusCode(400)
                .body(containsString("atLeast must be a whole number")).body(containsString("x?script?"));
        given().queryParam("atLeast", -1).get("/served-revision").then().statusCode(400);
        given().queryParam("atLeast", 1).queryParam("waitMs", 30_001).get("/served-revision").then().statusCode(400)
                .body(containsString("waitMs must be a whole number from 0 to 30000"));
    }
}
