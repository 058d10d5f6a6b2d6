package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bgdeploy.events.EventCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** status, history, rollback and undeploy against a stand-in for the deployer's REST API. */
class AppCommandsTest {

    record Received(String method, String uri, String authorization) {
    }

    /** A canned answer. */
    record Answer(int status, String body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** "METHOD path" -> answers, the last one repeated. */
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void on(String methodAndPath, int status, String body) {
        answers.computeIfAbsent(methodAndPath, k -> new ArrayDeque<>()).add(new Answer(status, body));
    }

    private void answer(HttpExchange ex) throws IOException {
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(),
                ex.getRequestHeaders().getFirst("Authorization")));
        Deque<Answer> queue = answers.get(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
        Answer a;
        if (queue == null) {
            a = new Answer(404, "{\"error\": \"no such path in the stand-in\"}");
        } else {
            synchronized (queue) {
                a = queue.size() > 1 ? queue.poll() : queue.peek();
            }
        }
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), a.status() == 204 ? -1 : bytes.length);
        if (a.status() != 204) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run deployctl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all, Map.of("DEPLOYER_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                        "DEPLOYCTL_TOKEN", "env-token\n"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String APPS = """
            [{"appName": "api", "servingVersion": null, "lastDeployment": null},
             {"appName": "web", "frontend": "web.test.example.com", "servingVersion": "3", "servingDeploymentId": "dep-3",
              "lastDeployment": {"id": "dep-4", "version": "4", "status": "FAILURE", "phase": "ROLLING_BACK",
                                 "requestedBy": "ci", "reason": "health check failed"},
              "deployments": 4, "descriptors": 1, "podsReady": 2, "podsReported": 2, "replicas": 2}]""";

    private static String deployment(String id, String version, String status, String phase, String reason) {
        return "{\"id\": \"" + id + "\", \"created\": \"2026-11-24T10:00:00Z\", \"lastModified\": \"2026-11-24T10:00:05Z\","
                + " \"namespace\": \"test\", \"appName\": \"web\", \"version\": \"" + version + "\", \"status\": \"" + status
                + "\", \"phase\": \"" + phase + "\", \"requestedBy\": \"ci\""
                + (reason == null ? "" : ", \"reason\": \"" + reason + "\"") + "}";
    }

    @Test
    void statusShowsTheServingVersionWithTheTokenFromTheEnvironment() throws Exception {
        on("GET /apps/", 200, APPS);

        Run text = deployctl("status", "web", "--namespace", "test");
        assertThat(text.exitCode()).as(text.out() + text.err()).isZero();
        assertThat(text.out()).contains("test/web: version 3 serves (deployment dep-3), 2 of 2 pod(s) ready,"
                + " frontend web.test.example.com", "  last deployment dep-4 version 4 FAILURE (ROLLING_BACK): health check failed");
        assertThat(received.get(0).uri()).isEqualTo("/apps/?namespace=test");
        assertThat(received.get(0).authorization()).isEqualTo("Bearer env-token");

        Run json = deployctl("status", "web", "--namespace", "test", "-o", "json");
        JsonNode result = EventCodec.mapper().readTree(json.out());
        assertThat(result.get("result").asText()).isEqualTo("OK");
        assertThat(result.get("exitCode").asInt()).isZero();
        assertThat(result.get("servingVersion").asText()).isEqualTo("3");
        assertThat(result.get("lastDeployment").get("status").asText()).isEqualTo("FAILURE");
        assertThat(json.err()).as("progress goes to stderr with --output json").contains("test/web: version 3 serves");

        assertThat(deployctl("status", "api", "--namespace", "test").exitCode()).as("nothing serves").isEqualTo(Outcome.FAILURE);
        Run unknown = deployctl("status", "shop", "--namespace", "test");
        assertThat(unknown.exitCode()).isEqualTo(Outcome.REJECTED);
        assertThat(unknown.out()).contains("the deployer knows no app test/shop");
    }

    @Test
    void historyListsTheNewestDeploymentsFirst() throws Exception {
        on("GET /deployments/", 200, "[" + deployment("dep-4", "4", "FAILURE", "ROLLING_BACK", "health check failed") + ", "
                + deployment("dep-3", "3", "DEPLOYED", "REMOVING_BLUE", null) + "]");

        Run run = deployctl("history", "web", "--namespace", "test", "--limit", "2", "--output", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(received.get(0).uri()).isEqualTo("/deployments/?namespace=test&appname=web&size=2");
        assertThat(received.get(0).authorization()).as("reads carry the token too").isEqualTo("Bearer env-token");
        JsonNode result = EventCodec.mapper().readTree(run.out());
        assertThat(result.get("deployments")).hasSize(2);
        assertThat(result.get("deployments").get(0).get("id").asText()).isEqualTo("dep-4");
        assertThat(result.get("deployments").get(0).get("reason").asText()).isEqualTo("health check failed");
        assertThat(run.err()).contains("dep-4", "version 4", "FAILURE", "by ci: health check failed");
    }

    @Test
    void rollbackAsksForItAndWaitsUntilTheDeploymentIsRolledBack() {
        on("GET /deployments/", 200, "[" + deployment("dep-5", "5", "DEPLOYING", "DRAINING", null) + "]");
        on("POST /deployments/dep-5/rollback", 202, deployment("dep-5", "5", "DEPLOYING", "DRAINING", null));
        on("GET /deployments/dep-5/", 200, deployment("dep-5", "5", "DEPLOYING", "ROLLING_BACK", null));
        on("GET /deployments/dep-5/", 200, deployment("dep-5", "5", "FAILURE", "ROLLING_BACK", "rolled back on request of ci"));
        on("GET /deployments/dep-5/logs", 200, "rolled back\n");

        Run run = deployctl("rollback", "web", "--namespace", "test", "--timeout", "30s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(received).extracting(Received::method, Received::uri).contains(
                org.assertj.core.groups.Tuple.tuple("POST", "/deployments/dep-5/rollback?namespace=test"));
        assertThat(run.out()).contains("rolling back deployment dep-5 of test/web", "phase ROLLING_BACK",
                "FAILURE test/web version 5 (deployment dep-5)");
    }

    @Test
    void aRollbackTheDeployerRefusesExitsTwoWithItsReason() {
        on("GET /deployments/", 200, "[" + deployment("dep-3", "3", "DEPLOYED", "REMOVING_BLUE", null) + "]");
        on("POST /deployments/dep-3/rollback", 409, "{\"error\": \"version 2 no longer runs: redeploy it instead\"}");

        Run run = deployctl("rollback", "web", "--namespace", "test");

        assertThat(run.exitCode()).isEqualTo(Outcome.REJECTED);
        assertThat(run.out()).contains("REJECTED while rolling back dep-3 (HTTP 409): version 2 no longer runs: redeploy it instead");
    }

    @Test
    void undeployRemovesTheServingVersionAndWaitsUntilUndeployed() {
        on("GET /deployments/", 200, "[" + deployment("dep-4", "4", "FAILURE", "ROLLING_BACK", "x") + ", "
                + deployment("dep-3", "3", "DEPLOYED", "REMOVING_BLUE", null) + "]");
        on("DELETE /deployments/dep-3/", 202, "");
        on("GET /deployments/dep-3/", 200, deployment("dep-3", "3", "UNDEPLOYING", "UNDEPLOYING", null));
        on("GET /deployments/dep-3/", 200, deployment("dep-3", "3", "UNDEPLOYED", "UNDEPLOYING", null));

        Run run = deployctl("undeploy", "web", "--namespace", "test", "--timeout", "30s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(received).extracting(Received::method, Received::uri).contains(
                org.assertj.core.groups.Tuple.tuple("DELETE", "/deployments/dep-3/?namespace=test"));
        assertThat(run.out()).contains("undeploying deployment dep-3 of test/web", "UNDEPLOYED test/web version 3 (deployment dep-3)");
    }

    @Test
    void undeployingAnAppWithoutADeployedVersionExitsTwo() {
        on("GET /deployments/", 200, "[" + deployment("dep-4", "4", "FAILURE", "ROLLING_BACK", "x") + "]");

        Run run = deployctl("undeploy", "web", "--namespace", "test");

        assertThat(run.exitCode()).isEqualTo(Outcome.REJECTED);
        assertThat(run.out()).contains("no version of test/web is deployed: nothing to undeploy");
    }
}
