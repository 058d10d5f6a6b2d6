package io.bgdeploy.health.dashboard;

import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.PodRestarted;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The dashboard in a real headless Chromium, live over Server-Sent Events, never reloaded: the
 * overview's tiles take the colour of their version's state (a pod without a health check
 * serves), the nodes section stays away on a platform without nodes, a version is opened for its
 * pods, and the charts hold exactly the points the API returns (latency sparkline, failed probes,
 * restart marks, restarts per app over time); a version with no serving pod raises the alert on
 * the page. Screenshots in target/screenshots/.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class DashboardBrowserTest {

    /** charts.js geometry. */
    private static final double SPARK_WIDTH = 240;
    private static final double SPARK_HEIGHT = 40;
    private static final double SPARK_PAD = 3;
    private static final double BARS_HEIGHT = 36;

    @TestHTTPResource("/")
    URL page;

    private WebDriver browser;
    private WebDriverWait wait;
    private Path profile;
    private final List<PodServer> servers = new ArrayList<>();

    @BeforeAll
    static void topics() {
        PodEvents.createTopics();
    }

    @BeforeEach
    void openBrowser() throws IOException {
        profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1100", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        servers.forEach(PodServer::close);
        try (var files = Files.walk(profile)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private PodServer server(int status, String body) {
        PodServer s = PodServer.start().answer(status, body);
        servers.add(s);
        return s;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private String attr(String css, String name) {
        Object v = js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                css, name);
        return v == null ? null : v.toString();
    }

    private static JsonPath api(String path) {
        return given().get(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theOverviewTheDetailOnDemandAndTheChartsFollowThePodsLive() throws IOException {
        PodServer web = server(200, "{\"healthy\": true}");
        PodRef webPod = PodEvents.pod("web", "web-1-x1");
        PodRef plainPod = PodEvents.pod("plain", "plain-1-a");
        browser.get(page.toString());
        wait.until(b -> "live".equals(attr("#connection", "data-state")));
        js("window.sameDocument = 'yes';");

        PodEvents.send(PodEvents.started(webPod, "probe", web.port(), 1, 2));
        PodEvents.send(new PodStarted(plainPod, "node-1", "127.0.0.1", Map.of("http", 8080), null));
        PodEvents.send(new DeploymentFinished("d-web-1", "test", "web", "1", DeploymentStatus.DEPLOYED, null, 1200));
        String webTile = ".app-card[data-app='test/web'] .tile[data-version='1']";
        // pod-events and deploy-events are read apart: the pod may serve before its version is known to be the one
        wait.until(b -> "serving".equals(attr(webTile, "data-state")) && "true".equals(attr(webTile, "data-should-serve")));
        wait.until(b -> "serving".equals(attr(".app-card[data-app='test/plain'] .tile[data-version='1']", "data-state")));
        assertThat(js("return document.querySelector(arguments[0]).textContent", webTile).toString())
                .contains("★ v1").contains("1/1 serving");
        assertThat(js("return document.getElementById('nodes-section').hidden")).as("no nodes on this platform")
                .isEqualTo(true);

        Instant now = Instant.now();
        PodEvents.send(new PodRestarted(webPod, "web", 1, "Error (exit 1)"));
        PodEvents.send(new PodRestarted(webPod, "web", 2, "Error (exit 1)"));
        String restartBars = "tr[data-restarts='test/web'] svg.bars";
        wait.until(b -> js("const s = document.querySelector(arguments[0]); return s ? [...s.querySelectorAll('rect.bar')]"
                + ".reduce((sum, r) => sum + +r.dataset.count, 0) : 0;", restartBars) instanceof Long n && n == 2);
        checkRestartBarsAgainstTheApi(restartBars);
        screenshot("dashboard-overview.png");

        // some failed probes, then healthy again: marks on the sparkline
        web.answer(200, "{\"healthy\": false}");
        wait.until(b -> "down".equals(attr(webTile, "data-state")) || "degraded".equals(attr(webTile, "data-state")));
        web.answer(200, "{\"healthy\": true}");
        wait.until(b -> "serving".equals(attr(webTile, "data-state")));

        js("document.querySelector(arguments[0]).click();", webTile);
        wait.until(b -> "false".equals(String.valueOf(js("return document.getElementById('detail').hidden"))));
        String row = "tr[data-pod='test/web-1-x1']";
        wait.until(b -> "ready".equals(attr(row, "data-health")) || "recovered".equals(attr(row, "data-health")));
        // wait until the failures lie in a closed bucket of the sparkline
        wait.until(b -> js("return document.querySelectorAll(arguments[0] + ' circle.failure').length", row) instanceof Long n
                && n > 0 && Instant.now().isAfter(now.plusSeconds(5)));
        checkSparklineAgainstTheApi(row);
        assertThat(js("return document.querySelector('tr[data-pod=\"test/plain-1-a\"]')")).as("detail of one app only")
                .isNull();
        screenshot("dashboard-app-detail.png");

        // no serving pod: the alert on the page, the tile turns red
        web.answer(503, "down");
        wait.until(b -> js("return document.querySelector(\"li[data-serving-alert='test/web']\")") != null);
        assertThat(attr("li[data-serving-alert='test/web']", "data-condition")).isEqualTo("NO_SERVING_POD");
        assertThat(attr(webTile, "data-state")).isEqualTo("down");
        assertThat(js("return document.querySelector(\"li[data-serving-alert='test/web']\").textContent").toString())
                .contains("no serving pod").contains("web-1-x1 unhealthy (HTTP status 503 is not 2xx)");
        assertThat(js("return window.sameDocument")).as("the page was never reloaded").isEqualTo("yes");
        screenshot("dashboard-serving-alert.png");

        PodEvents.send(new PodGone(webPod, "test over"));
        PodEvents.send(new PodGone(plainPod, "test over"));
    }

    /** Each bar of the chart is the API's count of restarts in that bucket, on one scale; no bar for an empty bucket. */
    @SuppressWarnings("unchecked")
    private void checkRestartBarsAgainstTheApi(String css) {
        Map<String, Object> chart = (Map<String, Object>) js("const s = document.querySelector(arguments[0]);"
                + "return {start: +s.dataset.start, bucket: +s.dataset.bucketMillis, max: +s.dataset.max,"
                + " bars: [...s.querySelectorAll('rect.bar')].map(r => ({index: +r.dataset.bucket, count: +r.dataset.count,"
                + " height: +r.getAttribute('height')}))};", css);
        JsonPath overview = api("/api/dashboard");
        String app = "apps.find { it.app == 'web' }.restarts";
        List<Integer> counts = overview.getList(app + ".counts", Integer.class);
        long apiStart = Instant.parse(overview.getString(app + ".start")).toEpochMilli();
        long bucket = overview.getLong(app + ".bucketMillis");
        long chartStart = ((Number) chart.get("start")).longValue();
        assertThat(((Number) chart.get("bucket")).longValue()).isEqualTo(bucket);
        double top = ((Number) chart.get("max")).doubleValue();
        Map<Long, Integer> apiByTime = new java.util.HashMap<>();
        for (int i = 0; i < counts.size(); i++) {
            if (counts.get(i) > 0) {
                apiByTime.put(apiStart + i * bucket, counts.get(i));
            }
        }
        Map<Long, Integer> chartByTime = new java.util.HashMap<>();
        for (Map<String, Object> bar : (List<Map<String, Object>>) chart.get("bars")) {
            long at = chartStart + ((Number) bar.get("index")).longValue() * bucket;
            int count = ((Number) bar.get("count")).intValue();
            chartByTime.put(at, count);
            assertThat(((Number) bar.get("height")).doubleValue()).as("height of the bar at %d", at)
                    .isCloseTo((BARS_HEIGHT - 1) * count / top, within(0.02));
        }
        assertThat(chartByTime).isEqualTo(apiByTime);
    }

    /**
     * The sparkline of the row against the API's series of that pod: every closed bucket of the
     * series (the last one still fills) is a vertex at the same height on the chart's scale, and
     * there is a failure dot exactly where the API counts failed probes and a mark per restart.
     */
    @SuppressWarnings("unchecked")
    private void checkSparklineAgainstTheApi(String row) {
        Map<String, Object> chart = (Map<String, Object>) js("const s = document.querySelector(arguments[0] + ' svg.sparkline');"
                + "return {points: s.querySelector('polyline').getAttribute('points'), max: +s.dataset.max,"
                + " start: +s.dataset.start, bucket: +s.dataset.bucketMillis,"
                + " failures: [...s.querySelectorAll('circle.failure')].map(c => +c.dataset.bucket),"
                + " marks: [...s.querySelectorAll('line.restart-mark')].map(l => +l.getAttribute('x1'))};", row);
        JsonPath app = api("/api/dashboard/apps/test/web");
        String pod = "versions[0].pods.find { it.podName == 'web-1-x1' }";
        List<Long> values = app.getList(pod + ".latency.maxMillis", Long.class);
        List<Integer> failures = app.getList(pod + ".latency.failures", Integer.class);
        long apiStart = Instant.parse(app.getString(pod + ".latency.start")).toEpochMilli();
        long bucket = app.getLong(pod + ".latency.bucketMillis");
        List<String> marks = app.getList(pod + ".restartMarks", String.class);

        long chartStart = ((Number) chart.get("start")).longValue();
        assertThat(((Number) chart.get("bucket")).longValue()).isEqualTo(bucket);
        double top = ((Number) chart.get("max")).doubleValue();
        int n = values.size();
        Map<Long, Double> vertices = new java.util.HashMap<>();
        for (String point : chart.get("points").toString().split(" ")) {
            String[] xy = point.split(",");
            int index = (int) Math.floor(Double.parseDouble(xy[0]) * n / SPARK_WIDTH);
            double value = top * (1 - (Double.parseDouble(xy[1]) - SPARK_PAD) / (SPARK_HEIGHT - 2 * SPARK_PAD));
            vertices.put(chartStart + index * bucket, value);
        }
        int compared = 0;
        for (int i = 0; i < n - 1; i++) {
            long at = apiStart + i * bucket;
            if (at < chartStart || at >= chartStart + (n - 1) * bucket) {
                continue;
            }
            compared++;
            if (values.get(i) == null) {
                assertThat(vertices).as("no probe in the bucket at %d: no vertex", at).doesNotContainKey(at);
            } else {
                assertThat(vertices.get(at)).as("slowest probe of the bucket at %d", at)
                        .isCloseTo(values.get(i).doubleValue(), within(top * 0.01 + 0.01));
            }
            int chartIndex = (int) ((at - chartStart) / bucket);
            assertThat(((List<Number>) chart.get("failures")).stream().anyMatch(f -> f.intValue() == chartIndex))
                    .as("failure dot of the bucket at %d", at).isEqualTo(failures.get(i) > 0);
        }
        assertThat(compared).as("closed buckets compared").isGreaterThan(3);
        assertThat(failures.stream().mapToInt(Integer::intValue).sum()).isPositive();
        List<Number> chartMarks = (List<Number>) chart.get("marks");
        assertThat(chartMarks).hasSameSizeAs(marks).hasSize(2);
        for (int i = 0; i < marks.size(); i++) {
            double x = (Instant.parse(marks.get(i)).toEpochMilli() - chartStart) / (double) (n * bucket) * SPARK_WIDTH;
            assertThat(chartMarks.get(i).doubleValue()).as("restart mark %d", i).isCloseTo(x, within(0.6));
        }
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
