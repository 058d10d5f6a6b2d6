package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.ProbeResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: the verdict is a pure function of status and body. */
class ProbeEvaluatorTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void simpleCheckIsHealthyOnAny2xx() {
        assertThat(ProbeEvaluator.evaluate("simple", AT, 3, 204, "").healthy()).isTrue();
        assertThat(ProbeEvaluator.evaluate("simple", AT, 3, 200, "not json at all").healthy()).isTrue();
    }

    @Test
    void simpleCheckFailsOnOtherStatusWithTheStatusAsReason() {
        ProbeResult r = ProbeEvaluator.evaluate("simple", AT, 3, 503, "down for maintenance");
        assertThat(r.healthy()).isFalse();
        assertThat(r.httpStatus()).isEqualTo(503);
        assertThat(r.error()).isEqualTo("HTTP status 503 is not 2xx");
        assertThat(r.bodyExcerpt()).isEqualTo("down for maintenance");
    }

    @Test
    void probeCheckReadsTheHealthyFieldAndIgnoresOthers() {
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "{\"healthy\": true, \"db\": \"ok\"}").healthy()).isTrue();
        ProbeResult down = ProbeEvaluator.evaluate("probe", AT, 3, 200, "{\"healthy\": false, \"db\": \"timeout\"}");
        assertThat(down.healthy()).isFalse();
        assertThat(down.error()).isEqualTo("probe answered {\"healthy\": false}");
        assertThat(down.bodyExcerpt()).contains("\"db\": \"timeout\"");
    }

    @Test
    void probeCheckExplainsMalformedBodies() {
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "{\"healthy\": tru").error())
                .startsWith("probe body is not JSON");
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "[true]").error())
                .isEqualTo("probe body is not a JSON object: expected {\"healthy\": true|false}");
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "{\"status\": \"UP\"}").error())
                .isEqualTo("probe body has no field \"healthy\"");
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "{\"healthy\": \"true\"}").error())
                .isEqualTo("probe field \"healthy\" is not a boolean but string");
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 200, "").error())
                .isEqualTo("probe body is empty: expected JSON {\"healthy\": true|false}");
    }

    @Test
    void probeCheckNeeds2xxEvenWithAHealthyBody() {
        assertThat(ProbeEvaluator.evaluate("probe", AT, 3, 500, "{\"healthy\": true}").error())
                .isEqualTo("HTTP status 500 is not 2xx");
    }

    @Test
    void excerptIsCappedAndHasNoControlCharacters() {
        String body = "\u0001bad\u0007" + "x".repeat(2000);
        String excerpt = ProbeEvaluator.excerpt(body);
        assertThat(excerpt).hasSize(ProbeResult.MAX_EXCERPT).startsWith("?bad?x");
    }
}
