package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.ServiceProcess;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;
import io.bgdeploy.infra.Wrk;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * All four services as separate processes, against a real Kafka broker, etcd and HAProxy, on the
 * local platform: deployments requested the way CI requests them, with a plain Kafka producer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT extends SuiteTestSupport {

    @Test
    @Order(1)
    void aDeployRequestFromCiSwitchesTrafficWithoutAFailedRequestAndRemovesTheOldVersion() throws Exception {
        DeploymentFinished v1 = requestAndAwait(descriptor(Map.of()));
        assertThat(v1.status()).as("first deployment: %s", v1.reason()).isEqualTo(DeploymentStatus.DEPLOYED);

        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                200_000, Duration.ofMinutes(4), Duration.ofMillis(2))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version " + v1.version()));

            DeploymentFinished v2 = requestAndAwait(descriptor(Map.of()));
            assertThat(v2.status()).as("second deployment: %s", v2.reason()).isEqualTo(DeploymentStatus.DEPLOYED);
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.lastBody().contains("version " + v2.version()));
            long afterSwitch = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > afterSwitch + 100);
            traffic.close();

            assertThat(traffic.failed()).as("failed requests (%s) of %d", traffic.failures(), traffic.sent()).isZero();
            assertThat(traffic.answers().keySet()).allMatch(b -> b.contains("version " + v1.version()) || b.contains("version " + v2.version()));
            String oldBackend = "default-" + APP + "-" + v1.version();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get(suite.service(Suite.LB_CONFIG).url("/backends"))).doesNotContain("\"" + oldBackend + "\""));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(versionsOnDashboard()).doesNotContain(v1.version()).contains(v2.version()));
        }
    }

    @Test
    @Order(2)
    void aVersionWhoseHealthCheckFailsEndsInFailureAndTheOldVersionKeepsServing() throws Exception {
        try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), HOST, "/",
                200_000, Duration.ofMinutes(3), Duration.ofMillis(5))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > 10);
            String serving = traffic.lastBody();

            DeploymentFinished failed = requestAndAwait(descriptor(Map.of("HEALTH", "fail")));

            assertThat(failed.status()).isEqualTo(DeploymentStatus.FAILURE);
            assertThat(failed.reason()).isNotBlank();
            long after = traffic.sent();
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.sent() > after + 50);
            traffic.close();
            assertThat(traffic.failed()).as("failed requests: %s", traffic.failures()).isZero();
            assertThat(traffic.lastBody()).isEqualTo(serving);
        }
    }

    @Test
    @Order(3)
    void thePodsOutputArrivesAtTheGelfReceiverWithItsFields() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(suite.gelfFile()).exists();
            List<JsonNode> messages = Files.readAllLines(suite.gelfFile()).stream().map(EndToEndIT::json)
                    .filter(m -> APP.equals(m.path("_app").asText())).toList();
            assertThat(messages).isNotEmpty();
            JsonNode m = messages.get(messages.size() - 1);
            assertThat(m.path("version").asText()).isEqualTo("1.1");
            assertThat(m.path("host").asText()).startsWith(APP + "-");
            assertThat(m.path("short_message").asText()).isNotEmpty();
            assertThat(m.path("_namespace").asText()).isEqualTo("default");
            assertThat(m.path("_pod").asText()).isEqualTo(m.path("host").asText());
            assertThat(m.path("_version").asText()).isNotEmpty();
            assertThat(m.path("_stream").asText()).isIn("stdout", "stderr");
            assertThat(m.has("_id")).isFalse();
        });
    }

    @Test
    @Order(4)
    void theDashboardShowsThePodsOfTheDeployedVersionAsReady() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode dashboard = json(get(suite.service(Suite.HEALTH).url("/api/dashboard")));
            JsonNode app = null;
            for (JsonNode a : dashboard.path("apps")) {
                if (APP.equals(a.path("app").asText())) {
                    app = a;
                }
            }
            assertThat(app).as("app %s on the dashboard: %s", APP, dashboard).isNotNull();
            JsonNode serving = null;
            for (JsonNode v : app.path("versions")) {
                if (v.path("serving").asInt() > 0) {
                    serving = v;
                }
            }
            assertThat(serving).as("a version with ready pods").isNotNull();
            assertThat(serving.path("serving").asInt()).isEqualTo(2);
        });
    }

    @Test
    @Order(5)
    void consecutiveDeploymentsUnderKeepAliveAndClosingLoadFailNoRequestAndReloadNoHaproxy() throws Exception {
        String status = suite.service(Suite.LB_AGENT).url("/status");
        int reloadsBefore = json(get(status)).path("haproxyReloads").asInt();
        Path out = suite.options().workDir().resolve("wrk");
        Wrk.Result keepAlive;
        Wrk.Result closing;
        try (Wrk keeping = Wrk.start(suite.options().lbPublicPort(), HOST, 1, 4, true, out.resolve("keep-alive.txt"));
             Wrk closed = Wrk.start(suite.options().lbPublicPort(), HOST, 1, 2, false, out.resolve("close.txt"))) {
            for (int i = 0; i < 4; i++) {
                DeploymentFinished next = requestAndAwait(descriptor(Map.of()));
                assertThat(next.status()).as("deployment %d: %s", i + 1, next.reason()).isEqualTo(DeploymentStatus.DEPLOYED);
            }
            keepAlive = keeping.stop();
            closing = closed.stop();
        }

        assertThat(keepAlive.requests()).as("keep-alive: %s", keepAlive).isGreaterThan(1000);
        assertThat(keepAlive.failed()).as("failed keep-alive requests: %s", keepAlive).isZero();
        assertThat(keepAlive.non2xx()).as("keep-alive responses that are not 2xx: %s", keepAlive).isZero();
        assertThat(closing.requests()).as("Connection: close: %s", closing).isGreaterThan(100);
        assertThat(closing.failed()).as("failed Connection: close requests: %s", closing).isZero();
        assertThat(closing.non2xx()).as("Connection: close responses that are not 2xx: %s", closing).isZero();
        assertThat(json(get(status)).path("haproxyReloads").asInt()).as("HAProxy reloads during 4 deployments")
                .isEqualTo(reloadsBefore);
    }

    @Test
    @Order(10)
    void everyServiceStaysUnder200MegabytesResidentAfterTheDeploymentsUnderTraffic() throws Exception {
        Map<String, Long> resident = new TreeMap<>();
        for (ServiceProcess service : suite.services().values()) {
            resident.put(service.name(), service.residentKilobytes());
        }
        System.out.println("resident memory after the deployments under traffic, kB: " + resident);
        assertThat(resident).as("VmRSS in kB with the local run's JVM settings").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy((service, kilobytes) -> assertThat(kilobytes).as(service).isLessThan(200 * 1024));
    }

    @Test
    @Order(11)
    void everyServiceAnswersAnH2cUpgradeRequestInHttp11() throws Exception {
        Map<String, String> statusLines = new TreeMap<>();
        for (ServiceProcess service : suite.services().values()) {
            URI uri = URI.create(service.url("/q/health/live"));
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout(5_000);
                // what the JDK HttpClient and curl --http2 send by default over plain HTTP
                socket.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                        + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                statusLines.put(service.name(), new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine());
            }
        }
        assertThat(statusLines).as("status line answered to an h2c upgrade request").hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy((service, line) -> assertThat(line).as(service).isEqualTo("HTTP/1.1 200 OK"));
    }
}
