package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

import java.time.Instant;

/**
 * One health probe.
 *
 * @param httpStatus  absent when no HTTP answer came (refused, timed out)
 * @param bodyExcerpt the first bytes of the body, for the reason of a failure
 * @param error       why the probe failed, e.g. "connection refused", "{\"healthy\": false}"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeResult(Instant at, boolean healthy, Integer httpStatus, long latencyMillis,
                          String bodyExcerpt, String error) {

    public static final int MAX_EXCERPT = 512;

    public ProbeResult {
        Names.requirePresent(at, "at");
        if (bodyExcerpt != null && bodyExcerpt.length() > MAX_EXCERPT) {
            bodyExcerpt = bodyExcerpt.substring(0, MAX_EXCERPT);
        }
    }
}
