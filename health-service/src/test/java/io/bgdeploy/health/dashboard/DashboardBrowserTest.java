package io.bgdeploy.health.dashboard;

import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.health.PodEvents;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
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
import org.openqa.selenium.WebElement;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard page in a real headless Chromium: changes show up live, without a reload. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
class DashboardBrowserTest {

    @TestHTTPResource("/")
    URL page;

    private WebDriver browser;
    private Path profile;
    private PodServer server;

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
                "--no-first-run", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(profile)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aPodTurningUnhealthyShowsOnTheOpenPageWithoutAReload() throws IOException {
        server = PodServer.start().answer(200, "{\"healthy\": true}");
        PodRef pod = PodEvents.pod("web", "web-7-x1");
        browser.get(page.toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        wait.until(b -> "live".equals(b.findElement(By.id("connection")).getAttribute("data-state")));
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = 'yes';");

        PodEvents.send(PodEvents.started(pod, "probe", server.port(), 1, 2));
        By row = By.cssSelector("tr[data-pod='test/web-7-x1']");
        wait.until(b -> hasHealth(b, row, "ready"));

        server.answer(200, "{\"healthy\": false, \"reason\": \"cache warming\"}");
        wait.until(b -> hasHealth(b, row, "unhealthy"));

        // One script reads the row at once: the page re-renders it on every pushed snapshot.
        @SuppressWarnings("unchecked")
        List<String> shown = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "const row = document.querySelector(\"tr[data-pod='test/web-7-x1']\");"
                        + "return [row.querySelector('.health').textContent, row.querySelector('.probe').textContent,"
                        + " document.getElementById('summary').textContent, window.sameDocument];");
        assertThat(shown.get(0)).isEqualTo("unhealthy");
        assertThat(shown.get(1)).contains("HTTP 200").contains("probe answered {\"healthy\": false}")
                .contains("cache warming");
        assertThat(shown.get(2)).containsPattern("[1-9][0-9]* unhealthy");
        assertThat(shown.get(3)).as("the page was not reloaded").isEqualTo("yes");
        screenshot("dashboard-pod-unhealthy.png");
        PodEvents.send(new PodGone(pod, "test over"));
    }

    private static boolean hasHealth(WebDriver b, By row, String health) {
        List<WebElement> rows = b.findElements(row);
        return !rows.isEmpty() && health.equals(rows.get(0).getAttribute("data-health"));
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
