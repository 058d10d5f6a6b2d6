package io.bgdeploy.deployer.ui;

import io.bgdeploy.deployer.store.EtcdStore;
import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.events.HostName;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The web UI in a real headless Chromium, against the deployer on the local platform with real
 * Kafka and etcd (health-service and lb-config-service played by {@link KafkaSuiteDoubles}):
 * sign in, write a descriptor, deploy two versions while watching them live, roll back. Namespace
 * {@code team-a} is open to no one without a token, so every page, the live stream included, shows
 * that the UI sends the token on reads.
 */
@QuarkusTest
@TestProfile(SlowDrainProfile.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(EtcdResource.class)
class DeployerUiTest {

    static KafkaSuiteDoubles suite;

    @TestHTTPResource("/")
    URL root;

    Browser browser;

    @Inject
    Client etcd;

    @BeforeAll
    static void playTheRestOfTheSuite() {
        suite = KafkaSuiteDoubles.start(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = new Browser();
    }

    @AfterEach
    void closeBrowser() throws Exception {
        browser.close();
    }

    /**
     * Clicks an element of the history page, which is drawn again as a deployment's events arrive:
     * an element found just before it was replaced is stale, and is looked up again.
     */
    private void clickOnHistory(String css) {
        browser.await(d -> {
            try {
                browser.find(css).click();
                return true;
            } catch (StaleElementReferenceException e) {
                return false;
            }
        });
    }

    private void signIn(String namespace, String token) {
        browser.type("#login-namespace", namespace);
        browser.type("#login-token", token);
        browser.find("#login-submit").click();
    }

    /** The title of the page once its content is there ("" while the page still loads it). */
    private String heading() {
        return browser.text("main:not([aria-busy='true']) #page-title");
    }

    @Test
    void signInWriteADescriptorDeployTwoVersionsLiveAndRollBack() {
        browser.driver().get(root.toString());
        browser.await(ExpectedConditions.urlContains("/ui/#/login"));
        browser.await(d -> heading().equals("Sign in"));
        browser.screenshot("01-sign-in");

        signIn("team-a", "not-a-token");
        browser.await(d -> browser.text("#login-error").contains("Not authenticated (401)"));
        signIn("team-a", "test-token-other");
        browser.await(d -> browser.text("#login-error").contains("Forbidden (403)"));
        signIn("team-a", "test-token-ci");
        browser.await(d -> heading().equals("Apps in team-a"));
        assertThat(browser.text("#signed-in")).isEqualTo("Signed in as ci");
        assertThat(browser.script("return sessionStorage.getItem('bgdeploy.token')")).isEqualTo("test-token-ci");
        // the link comes with the suite's links, fetched beside the app list: wait for it, not for the heading
        browser.await(d -> "http://127.0.0.1:8082/".equals(browser.script(
                "const e = document.querySelector('#health-link'); return e ? e.getAttribute('href') : null")));

        // a descriptor with a bad app name: the server's own message beside the field
        browser.find("#nav-descriptors").click();
        browser.await(d -> heading().equals("Descriptors in team-a"));
        browser.find("#new-descriptor").click();
        browser.await(d -> heading().equals("New descriptor"));
        browser.type("#f-appName", "Bad_Name");
        browser.type("#f-frontend", "uiapp.example.com");
        browser.find("#validate").click();
        browser.await(d -> !browser.text("#err-appName").isEmpty());
        assertThat(browser.text("#err-appName")).contains("Bad_Name").contains("DNS label");
        assertThat(browser.find("#f-appName").getAttribute("aria-invalid")).isEqualTo("true");
        browser.screenshot("02-descriptor-validation-error");

        browser.type("#f-appName", "uiapp");
        browser.find("#validate").click();
        browser.await(d -> browser.text("#valid").equals("The descriptor is valid."));
        assertThat(browser.text("#err-appName")).isEmpty();
        browser.find("#save").click();
        browser.await(d -> heading().equals("Descriptors in team-a"));
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));

        // version 1, watched live: the page is never reloaded
        browser.script("window.sameDocument = 'yes'");
        browser.find("tr[data-app='uiapp'] [data-action='deploy']").click();
        browser.await(d -> heading().equals("uiapp version 1"));
        Set<String> phasesV1 = watchPhasesUntil(() -> browser.text("#deployment-status").equals("DEPLOYED"));
        browser.await(d -> browser.text("#live").startsWith("Finished"));
        assertThat(phasesV1).isNotEmpty();
        assertThat(browser.attribute("li[data-phase='SWITCHING']", "class")).isEqualTo("done");
        assertThat(browser.text("#log")).contains("phase WAITING_FOR_HEALTH").contains("DEPLOYED after");
        assertThat(browser.text("#pods")).contains("READY");
        assertThat(browser.script("return window.sameDocument")).isEqualTo("yes");
        assertThat(requestedUrls()).as("the token travels in a header, never in a URL")
                .anyMatch(u -> u.contains("/stream?namespace=team-a")).noneMatch(u -> u.contains("test-token-ci"));
        String v1 = deploymentIdOfPage();
        assertTimelineHoldsThePhasesOf(v1);
        assertPageLogIsTheApisLog(v1);
        assertThat(browser.script("return document.querySelectorAll('#timeline .switch-mark').length")).isEqualTo(1L);
        browser.screenshot("03-deployment-v1");
        assertThat(suite.lb.frontends.get(HostName.of("uiapp.example.com"))).isEqualTo("team-a-uiapp-1");

        // version 2: phases appear one after another on the same page, then it drains blue
        browser.find("#nav-descriptors").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
        browser.find("tr[data-app='uiapp'] [data-action='deploy']").click();
        browser.await(d -> heading().equals("uiapp version 2"));
        Set<String> phasesV2 = watchPhasesUntil(() -> "DRAINING".equals(currentPhase()));
        assertThat(phasesV2).as("phases seen as current, in order").hasSizeGreaterThanOrEqualTo(2).contains("DRAINING");
        assertThat(browser.text("#log")).contains("switched to team-a-uiapp-2");
        // the timeline follows the stream: the phase now running is a growing bar without a measured duration
        browser.await(d -> Boolean.TRUE.equals(browser.script(
                "const b = document.querySelector('#timeline rect.phase-bar.running');"
                        + " return b !== null && b.dataset.phase === 'DRAINING' && !b.hasAttribute('data-duration-millis')")));
        assertThat(browser.script("return document.querySelectorAll('#timeline .switch-mark').length")).isEqualTo(1L);
        assertThat(browser.find("#rollback").isEnabled()).isTrue();
        assertThat(browser.text("#rollback")).isEqualTo("Roll back to version 1");
        // a line confirmed after later ones (another instance's, or a write etcd took late) goes in its place
        String v2Live = deploymentIdOfPage();
        String late = insertLateLogLine(v2Live);
        assertPageLogIsTheApisLog(v2Live);
        assertThat(pageLog().get(1)).isEqualTo(late);
        assertThat(browser.script("return window.sameDocument")).isEqualTo("yes");
        browser.screenshot("04-deployment-v2-draining");

        // the history shows both; the rollback switches back to version 1, which still runs
        browser.find("#history-link").click();
        browser.await(d -> heading().equals("History of uiapp"));
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='DEPLOYED']")));
        assertThat(browser.text("tr[data-version='2']")).contains("DEPLOYING").contains("ci");
        browser.screenshot("05-history-before-rollback");
        assertThat(browser.text("#history-rollback")).contains("Roll back to version 1");
        clickOnHistory("#history-rollback");
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='2'][data-status='FAILURE']")),
                Duration.ofSeconds(30));
        assertThat(browser.text("tr[data-version='2']")).contains("rolled back on request of ci");
        assertThat(browser.attribute("tr[data-version='1']", "data-status")).isEqualTo("DEPLOYED");
        assertThat(suite.lb.frontends.get(HostName.of("uiapp.example.com"))).isEqualTo("team-a-uiapp-1");
        browser.await(d -> historyChartBars().equals(apiDeployments("uiapp")));
        assertThat(browser.script("return document.querySelector('#history-chart .outcome-FAILURE').getAttribute('data-version')"))
                .isEqualTo("2");
        browser.screenshot("05b-history-chart");

        // the failed deployment's timeline: its last phase red, with the reason
        String v2 = browser.attribute("tr[data-version='2']", "data-deployment");
        clickOnHistory("#history-chart rect[data-version='2']");
        browser.await(d -> heading().equals("uiapp version 2"));
        browser.await(d -> browser.text("#live").startsWith("Finished"));
        assertTimelineHoldsThePhasesOf(v2);
        assertThat(browser.script("const bars = document.querySelectorAll('#timeline rect.phase-bar');"
                + " return bars[bars.length - 1].getAttribute('class')")).isEqualTo("phase-bar failed");
        assertThat(browser.script("return document.querySelectorAll('#timeline rect.failed').length")).isEqualTo(1L);
        assertThat(browser.text("#timeline .failure-reason")).isEqualTo("FAILURE: rolled back on request of ci");
        browser.screenshot("05c-timeline-of-a-failure");
        browser.driver().navigate().back();
        browser.await(d -> heading().equals("History of uiapp"));
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='DEPLOYED']")));

        // health-check data of version 1, opened from the keyboard. The history is drawn again as
        // the rollback's last events arrive: the key goes to the button once it can take it, and
        // again if the row it belonged to was replaced before it opened
        browser.await(d -> {
            try {
                WebElement toggle = browser.find("tr[data-version='1'] button[aria-expanded]");
                if (!"true".equals(toggle.getAttribute("aria-expanded"))) {
                    toggle.sendKeys(Keys.ENTER);
                }
            } catch (ElementNotInteractableException | StaleElementReferenceException e) {
                return false;
            }
            return browser.text("tr.health-row:not([hidden])").contains("READY");
        });
        browser.screenshot("06-history-after-rollback");

        browser.find("#nav-apps").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
        assertThat(browser.text("tr[data-app='uiapp'] .serving-version")).isEqualTo("1");
        assertThat(browser.text("tr[data-app='uiapp'] .last-deployment")).contains("FAILURE").contains("version 2");
        browser.screenshot("07-apps");

        // edit the descriptor, then undeploy and delete, each behind a confirmation
        browser.find("#nav-descriptors").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
        browser.find("tr[data-app='uiapp'] a[href$='/edit']").click();
        browser.await(d -> heading().equals("Edit descriptor of uiapp"));
        browser.type("#f-replicas", "2");
        browser.find("#save").click();
        browser.await(d -> heading().equals("Descriptors in team-a"));
        browser.await(d -> browser.text("tr[data-app='uiapp'] td:nth-of-type(3)").equals("2"));

        browser.driver().get(root + "ui/#/apps/uiapp/history");
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='DEPLOYED']")));
        clickOnHistory("tr[data-version='1'] button.danger");
        browser.await(d -> browser.find("#confirm").isDisplayed());
        assertThat(browser.text("#confirm-text")).contains("Undeploy uiapp version 1");
        browser.screenshot("08-undeploy-confirmation");
        browser.find("#confirm-ok").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='UNDEPLOYED']")));
        assertThat(suite.lb.frontends).doesNotContainKey(HostName.of("uiapp.example.com"));

        browser.find("#nav-descriptors").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
        browser.find("tr[data-app='uiapp'] [data-action='delete']").click();
        browser.await(d -> browser.find("#confirm").isDisplayed());
        browser.find("#confirm-ok").click();
        browser.await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
    }

    @Test
    void theRootLeadsToTheUiAndTheUiEndpointsAnswerLikeTheApi() {
        given().redirects().follow(false).get("/").then().statusCode(302).header("Location", "/ui/");
        given().redirects().follow(false).get("/ui").then().statusCode(302).header("Location", "/ui/");
        given().get("/ui/").then().statusCode(200).body(containsString("<main id=\"main\""));
        given().get("/apps/access?namespace=team-a").then().statusCode(401);
        given().header("Authorization", "Bearer test-token-other").get("/apps/access?namespace=team-a").then().statusCode(403);
        given().header("Authorization", "Bearer test-token-ci").get("/apps/access?namespace=team-a").then().statusCode(200)
                .body("name", equalTo("ci"));
        given().get("/deployments/no-such-deployment/stream?namespace=team-a").then().statusCode(401);
        given().header("Authorization", "Bearer test-token-ci").get("/deployments/no-such-deployment/stream?namespace=team-a")
                .then().statusCode(404);
        given().get("/apps/links").then().statusCode(200).body("publicUrl", equalTo("http://127.0.0.1:8000/"));
    }

    private String deploymentIdOfPage() {
        String hash = browser.script("return location.hash").toString();
        assertThat(hash).startsWith("#/deployments/");
        return hash.substring("#/deployments/".length());
    }

    /** One bar per phase the API's log closes ("phase X took N ms"), in order, each with that duration. */
    private void assertTimelineHoldsThePhasesOf(String deploymentId) {
        List<String> fromApi = given().header("Authorization", "Bearer test-token-ci")
                .get("/deployments/" + deploymentId + "/logs?namespace=team-a").then().statusCode(200).extract().asString()
                .lines().map(PHASE_TOOK::matcher).filter(Matcher::find).map(m -> m.group(1) + "=" + m.group(2)).toList();
        assertThat(fromApi).as("phases the deployer timed").hasSizeGreaterThanOrEqualTo(3);
        try {
            browser.await(d -> timelineBars().equals(fromApi));
        } catch (org.openqa.selenium.TimeoutException e) {
            browser.screenshot("timeline-mismatch");
            assertThat(timelineBars()).as("phase bars: %s", browser.script(
                    "const t = document.querySelector('#timeline-box'); return t ? t.outerHTML : 'no timeline'")).isEqualTo(fromApi);
        }
    }

    /**
     * Writes a line into a deployment's log in etcd between its first and second line, as a line
     * whose write was confirmed after the lines that followed it; returns the line.
     */
    private String insertLateLogLine(String deploymentId) {
        String log = EtcdStore.PREFIX + "logs/team-a/" + deploymentId + "/";
        try {
            List<KeyValue> lines = etcd.getKVClient().get(bytes(log), GetOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS).getKvs();
            assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
            String first = lines.get(0).getKey().toString(StandardCharsets.UTF_8);
            String line = Instant.now() + " a line confirmed late";
            etcd.getKVClient().put(bytes(first + "-late"), bytes(line)).get(10, TimeUnit.SECONDS);
            return line;
        } catch (Exception e) {
            throw new AssertionError("could not write into the log in etcd", e);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** The live page shows every line of the log once, in the order the API lists them, however late a line came. */
    private void assertPageLogIsTheApisLog(String deploymentId) {
        List<String> fromApi = given().header("Authorization", "Bearer test-token-ci")
                .get("/deployments/" + deploymentId + "/logs?namespace=team-a").then().statusCode(200).extract().asString()
                .lines().toList();
        assertThat(fromApi).hasSizeGreaterThanOrEqualTo(10);
        try {
            browser.await(d -> pageLog().equals(fromApi));
        } catch (org.openqa.selenium.TimeoutException e) {
            assertThat(pageLog()).isEqualTo(fromApi);
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> pageLog() {
        return (List<String>) browser.script("return [...document.querySelectorAll('#log li')].map(li => li.textContent)");
    }

    private static final Pattern PHASE_TOOK = Pattern.compile(" phase ([A-Z_]+) took (\\d+) ms$");

    @SuppressWarnings("unchecked")
    private List<String> timelineBars() {
        return (List<String>) browser.script("return [...document.querySelectorAll('#timeline rect.phase-bar')]"
                + ".map(b => b.dataset.phase + '=' + b.dataset.durationMillis)");
    }

    /** The per-app chart's bars, oldest first: deployment, outcome class and duration. */
    @SuppressWarnings("unchecked")
    private List<String> historyChartBars() {
        return (List<String>) browser.script("return [...document.querySelectorAll('#history-chart rect.deployment-bar')]"
                + ".map(b => b.dataset.deployment + ' ' + b.getAttribute('class') + ' ' + b.dataset.durationMillis)");
    }

    /** The same from GET /deployments/: newest first there, so reversed; duration from created to last change. */
    private List<String> apiDeployments(String app) {
        List<Map<String, Object>> list = given().header("Authorization", "Bearer test-token-ci")
                .get("/deployments/?namespace=team-a&appname=" + app).then().statusCode(200).extract().jsonPath().getList("$");
        List<String> bars = new ArrayList<>();
        for (Map<String, Object> d : list) {
            long millis = Instant.parse((String) d.get("lastModified")).toEpochMilli()
                    - Instant.parse((String) d.get("created")).toEpochMilli();
            bars.add(0, d.get("id") + " deployment-bar outcome-" + d.get("status") + " " + millis);
        }
        return bars;
    }

    /** Every URL the page has requested (the browser's resource timing entries). */
    @SuppressWarnings("unchecked")
    private List<String> requestedUrls() {
        return (List<String>) browser.script("return performance.getEntriesByType('resource').map(e => e.name);");
    }

    private String currentPhase() {
        Object phase = browser.script("const e = document.querySelector('#phases li.current'); return e ? e.dataset.phase : null;");
        return phase == null ? null : phase.toString();
    }

    /** Records every phase shown as the current one while waiting, so a test sees them arrive live. */
    private Set<String> watchPhasesUntil(java.util.function.BooleanSupplier done) {
        Set<String> seen = new LinkedHashSet<>();
        browser.await(d -> {
            String phase = currentPhase();
            if (phase != null) {
                seen.add(phase);
            }
            if (!done.getAsBoolean()) {
                return false;
            }
            // the phase may have changed between the two reads: the one in which it is done was seen too
            String last = currentPhase();
            if (last != null) {
                seen.add(last);
            }
            return true;
        }, Duration.ofSeconds(60));
        return seen;
    }
}
