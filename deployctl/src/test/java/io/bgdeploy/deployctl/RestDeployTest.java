package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bgdeploy.events.EventCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** deployctl --via-rest against a stand-in for the deployer's reference-compatible REST API. */
class RestDeployTest {

    /** A request the stand-in received; {@code upgrade} is its Upgrade header, if it had one. */
    record Received(String method, String uri, String authorization, String upgrade, String body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<String> snapshots = new ArrayDeque<>();
    private volatile int descriptorStatus = 201;
    private volatile String descriptorAnswer = "{\"id\": \"desc-1\"}";

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/descriptors/", ex -> answer(ex, descriptorStatus, descriptorAnswer));
        server.createContext("/deployments/", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                answer(ex, 202, "{\"id\": \"dep-1\", \"version\": \"3\", \"status\": \"DEPLOYING\"}");
            } else if (ex.getRequestURI().getPath().endsWith("/logs")) {
                answer(ex, 200, "2026-11-24T10:00:00Z phase WAITING_FOR_HEALTH\n2026-11-24T10:01:00Z web-3-0: HTTP 500\n");
            } else {
                String next;
                synchronized (snapshots) {
                    next = snapshots.size() > 1 ? snapshots.poll() : snapshots.peek();
                }
                answer(ex, 200, next);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] request = ex.getRequestBody().readAllBytes();
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(),
                ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Upgrade"),
                new String(request, StandardCharsets.UTF_8)));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static String snapshot(String status, String phase, String lastModified, String reason) {
        return "{\n  \"id\" : \"dep-1\",\n  \"created\" : \"2026-11-24T10:00:00Z\",\n  \"lastModified\" : \"" + lastModified
                + "\",\n  \"namespace\" : \"production\",\n  \"appName\" : \"web\",\n  \"version\" : \"3\",\n  \"status\" : \""
                + status + "\",\n  \"phase\" : \"" + phase + "\""
                + (reason == null ? "" : ",\n  \"reason\" : \"" + reason + "\"")
                + ",\n  \"descriptor\" : {\"appName\": \"web\", \"h\\u0073tatus\": 1}\n}";
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run deployctl(String... extra) throws IOException {
        Path token = dir.resolve("token");
        Files.writeString(token, "\n  s3cret-token \n");
        List<String> args = new java.util.ArrayList<>(List.of("deploy", "--descriptor", DescriptorFileTest.sample().toString(),
                "--namespace", "production", "--via-rest", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--token-file", token.toString(), "--timeout", "30s"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void storesTheDescriptorDeploysItAndFollowsItUntilDeployed() throws Exception {
        snapshots.add(snapshot("DEPLOYING", "PREPARING", "2026-11-24T10:00:00Z", null));
        snapshots.add(snapshot("DEPLOYING", "WAITING_FOR_HEALTH", "2026-11-24T10:00:01.500Z", null));
        snapshots.add(snapshot("DEPLOYED", "REMOVING_BLUE", "2026-11-24T10:00:09Z", null));

        Run run = deployctl();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(received.get(0).method()).isEqualTo("POST");
        assertThat(received.get(0).uri()).isEqualTo("/descriptors/?namespace=production");
        assertThat(received.get(0).authorization()).isEqualTo("Bearer s3cret-token");
        JsonNode sent = EventCodec.mapper().readTree(received.get(0).body());
        assertThat(sent.get("namespace").asText()).isEqualTo("production");
        assertThat(sent.get("podspec").get("containers").get(0).get("image").asText())
                .isEqualTo("registry.example.com/web:1.4.2");
        assertThat(received.get(1).uri()).isEqualTo("/deployments/?namespace=production&descriptorId=desc-1");
        assertThat(received.get(1).authorization()).isEqualTo("Bearer s3cret-token");
        assertThat(received.get(2).uri()).isEqualTo("/deployments/dep-1/?namespace=production");
        assertThat(run.out()).contains("accepted: deployment dep-1 of production/web version 3",
                "phase PREPARING", "  PREPARING took 1.5 s", "phase WAITING_FOR_HEALTH",
                "phase REMOVING_BLUE", "DEPLOYED production/web version 3 (deployment dep-1) after 9.0 s");
        // plain HTTP/1.1: a proxy in front of the deployer that accepts an upgrade to h2c gets none to accept
        assertThat(received).extracting(Received::upgrade).containsOnlyNulls();
    }

    @Test
    void aFailedDeploymentExitsOneWithTheReason() throws Exception {
        snapshots.add(snapshot("FAILURE", "ROLLING_BACK", "2026-11-24T10:01:00Z", "pod web-3-0 not healthy within 60 s"));

        Run run = deployctl();

        assertThat(run.exitCode()).isEqualTo(Outcome.FAILURE);
        assertThat(run.out()).contains("FAILURE production/web version 3 (deployment dep-1) after 1 min 0 s:"
                + " pod web-3-0 not healthy within 60 s");
        assertThat(run.out()).contains("deployment log:", "  2026-11-24T10:01:00Z web-3-0: HTTP 500");
        assertThat(received).last().extracting(Received::uri).isEqualTo("/deployments/dep-1/logs?namespace=production");
    }

    @Test
    void aRefusalExitsTwoWithTheDeployersWords() throws Exception {
        descriptorStatus = 403;
        descriptorAnswer = "{\"error\": \"token 'ci' may not change namespace production\", \"problems\": []}";

        Run run = deployctl();

        assertThat(run.exitCode()).isEqualTo(Outcome.REJECTED);
        assertThat(run.out()).contains("REJECTED while storing the descriptor (HTTP 403): token 'ci' may not change"
                + " namespace production (the token is not one of this namespace)");
        assertThat(received).hasSize(1);
    }

    @Test
    void anUnreachableDeployerExitsFour() throws Exception {
        server.stop(0);

        Run run = deployctl();

        assertThat(run.exitCode()).isEqualTo(Outcome.CANNOT_RUN);
        assertThat(run.err()).startsWith("deployctl: cannot reach the deployer at http://127.0.0.1:");
    }
}
