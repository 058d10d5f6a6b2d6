package io.bgdeploy.deployer.ui;

import io.bgdeploy.deployer.testing.KafkaSuiteDoubles;
import io.bgdeploy.infra.testing.EtcdResource;
import io.bgdeploy.infra.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
        assertThat(browser.find("li[data-phase='SWITCHING']").getAttribute("class")).isEqualTo("done");
        assertThat(browser.text("#log")).contains("phase WAITING_FOR_HEALTH").contains("DEPLOYED after");
        assertThat(browser.text("#pods")).contains("READY");
        assertThat(browser.script("return window.sameDocument")).isEqualTo("yes");
        assertThat(requestedUrls()).as("the token travels in a header, never in a URL")
                .anyMatch(u -> u.contains("/stream?namespace=team-a")).noneMatch(u -> u.contains("test-token-ci"));
        browser.screenshot("03-deployment-v1");
        assertThat(suite.lb.frontends.get("uiapp.example.com")).isEqualTo("team-a-uiapp-1");

        // version 2: phases appear one after another on the same page, then it drains blue
        browser.find("#nav-descriptors").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='uiapp']")));
        browser.find("tr[data-app='uiapp'] [data-action='deploy']").click();
        browser.await(d -> heading().equals("uiapp version 2"));
        Set<String> phasesV2 = watchPhasesUntil(() -> "DRAINING".equals(currentPhase()));
        assertThat(phasesV2).as("phases seen as current, in order").hasSizeGreaterThanOrEqualTo(2).contains("DRAINING");
        assertThat(browser.text("#log")).contains("switched to team-a-uiapp-2");
        assertThat(browser.find("#rollback").isEnabled()).isTrue();
        assertThat(browser.text("#rollback")).isEqualTo("Roll back to version 1");
        assertThat(browser.script("return window.sameDocument")).isEqualTo("yes");
        browser.screenshot("04-deployment-v2-draining");

        // the history shows both; the rollback switches back to version 1, which still runs
        browser.find("#history-link").click();
        browser.await(d -> heading().equals("History of uiapp"));
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='DEPLOYED']")));
        assertThat(browser.text("tr[data-version='2']")).contains("DEPLOYING").contains("ci");
        browser.screenshot("05-history-before-rollback");
        assertThat(browser.text("#history-rollback")).contains("Roll back to version 1");
        browser.find("#history-rollback").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='2'][data-status='FAILURE']")),
                Duration.ofSeconds(30));
        assertThat(browser.text("tr[data-version='2']")).contains("rolled back on request of ci");
        assertThat(browser.find("tr[data-version='1']").getAttribute("data-status")).isEqualTo("DEPLOYED");
        assertThat(suite.lb.frontends.get("uiapp.example.com")).isEqualTo("team-a-uiapp-1");

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
        browser.find("tr[data-version='1'] button.danger").click();
        browser.await(d -> browser.find("#confirm").isDisplayed());
        assertThat(browser.text("#confirm-text")).contains("Undeploy uiapp version 1");
        browser.screenshot("08-undeploy-confirmation");
        browser.find("#confirm-ok").click();
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1'][data-status='UNDEPLOYED']")));
        assertThat(suite.lb.frontends).doesNotContainKey("uiapp.example.com");

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
            return done.getAsBoolean();
        }, Duration.ofSeconds(60));
        return seen;
    }
}
