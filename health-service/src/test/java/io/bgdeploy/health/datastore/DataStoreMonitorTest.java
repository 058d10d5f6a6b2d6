package io.bgdeploy.health.datastore;

import io.bgdeploy.health.PodServer;
import io.bgdeploy.health.model.DashboardSnapshot.DataStoreView;
import io.bgdeploy.health.Dashboards;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.DataStoreCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Not a @QuarkusTest: the monitor checks real local sockets and HTTP servers. */
class DataStoreMonitorTest {

    private static final Duration EVERY = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void tcpAndHttpChecksReportUpDownLatencyAndTheLastError() throws Exception {
        Vertx vertx = Vertx.vertx();
        DashboardState dashboard = Dashboards.state(Clock.systemUTC());
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (ServerSocket mysql = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             PodServer search = PodServer.start().answer(200, "{\"status\":\"green\"}");
             PodServer broken = PodServer.start().answer(503, "{\"status\":\"red\"}")) {
            DataStoreMonitor monitor = new DataStoreMonitor(vertx, List.of(
                    DataStoreCheck.tcp("orders-db", "127.0.0.1:" + mysql.getLocalPort(), EVERY, TIMEOUT),
                    DataStoreCheck.tcp("mongo", "127.0.0.1:" + closedPort, EVERY, TIMEOUT),
                    DataStoreCheck.http("search", "http://127.0.0.1:" + search.port() + "/_cluster/health", EVERY, TIMEOUT),
                    DataStoreCheck.http("reports", "http://127.0.0.1:" + broken.port() + "/health", EVERY, TIMEOUT)),
                    dashboard, new SimpleMeterRegistry(), Clock.systemUTC());
            monitor.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> monitor.status().values().stream().allMatch(d -> d.up() != null));
                DataStoreView db = monitor.status().get("orders-db");
                assertThat(db.up()).isTrue();
                assertThat(db.latencyMillis()).isNotNull();
                assertThat(db.target()).isEqualTo("127.0.0.1:" + mysql.getLocalPort());
                DataStoreView mongo = monitor.status().get("mongo");
                assertThat(mongo.up()).isFalse();
                assertThat(mongo.lastError()).containsIgnoringCase("refused");
                // a first HTTP check may exceed its timeout on a loaded machine; a healthy service is up by the next one
                await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(monitor.status().get("search").up()));
                DataStoreView reports = monitor.status().get("reports");
                assertThat(reports.up()).isFalse();
                assertThat(reports.lastError()).isEqualTo("HTTP status 503 is not 2xx");

                broken.answer(200, "{\"status\":\"green\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> monitor.status().get("reports").up());
                assertThat(monitor.status().get("reports").lastError())
                        .as("the last error stays visible after recovery").isEqualTo("HTTP status 503 is not 2xx");
                assertThat(dashboard.dataStores()).filteredOn(d -> Boolean.FALSE.equals(d.up())).extracting(DataStoreView::name)
                        .containsExactly("mongo");
            } finally {
                monitor.stop();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void misconfiguredChecksSayWhatIsWrong() {
        assertThatThrownBy(() -> DataStoreCheck.tcp("db", "db.internal", EVERY, TIMEOUT))
                .hasMessage("data store db: address 'db.internal' is not host:port");
        assertThatThrownBy(() -> DataStoreCheck.tcp("db", "db internal:3306", EVERY, TIMEOUT))
                .hasMessageContaining("is not a host name or IP address");
        assertThatThrownBy(() -> DataStoreCheck.http("es", "https://es:9200/", EVERY, TIMEOUT))
                .hasMessageContaining("must be http://host[:port]/path");
        assertThat(DataStoreCheck.http("es", "http://es.internal:9200/_cluster/health?local=true", EVERY, TIMEOUT).target())
                .isEqualTo("http://es.internal:9200/_cluster/health?local=true");
    }

    @Test
    void aHangingServiceIsDownAfterTheTimeout() throws IOException, Exception {
        Vertx vertx = Vertx.vertx();
        try (PodServer hanging = PodServer.start().hang()) {
            DataStoreMonitor monitor = new DataStoreMonitor(vertx,
                    List.of(DataStoreCheck.http("slow", "http://127.0.0.1:" + hanging.port() + "/", EVERY, TIMEOUT)),
                    Dashboards.state(Clock.systemUTC()), new SimpleMeterRegistry(), Clock.systemUTC());
            monitor.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.FALSE.equals(monitor.status().get("slow").up()));
            assertThat(monitor.status().get("slow").lastError()).isEqualTo("no answer within 500 ms");
            monitor.stop();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
