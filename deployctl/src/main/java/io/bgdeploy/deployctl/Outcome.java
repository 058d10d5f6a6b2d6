package io.bgdeploy.deployctl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a deployctl command ended, and its exit status.
 *
 * @param exitCode one of the constants below
 * @param summary  the last line printed, saying what happened
 * @param details  what {@code --output json} prints beside {@code result}, {@code exitCode} and
 *                 {@code summary} (deployment id, version, phases, ...)
 */
public record Outcome(int exitCode, String summary, Map<String, Object> details) {

    /** Done: DEPLOYED, rolled back, undeployed, or the information asked for. */
    public static final int OK = 0;
    public static final int DEPLOYED = OK;
    /** The deployment ended in FAILURE (the old version kept serving), or the app has no serving version. */
    public static final int FAILURE = 1;
    /** The deployer refused: invalid descriptor, version already deployed, token not allowed, unknown app. */
    public static final int REJECTED = 2;
    /** No outcome within --timeout; the deployment goes on in the deployer. */
    public static final int TIMED_OUT = 3;
    /** Could not run: arguments, files, Kafka or the deployer unreachable. */
    public static final int CANNOT_RUN = 4;

    public Outcome {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Outcome(int exitCode, String summary) {
        this(exitCode, summary, Map.of());
    }

    public static Outcome ok(String summary) {
        return new Outcome(OK, summary);
    }

    public static Outcome deployed(String summary) {
        return new Outcome(DEPLOYED, summary);
    }

    public static Outcome failure(String summary) {
        return new Outcome(FAILURE, summary);
    }

    public static Outcome rejected(String summary) {
        return new Outcome(REJECTED, summary);
    }

    public static Outcome timedOut(String summary) {
        return new Outcome(TIMED_OUT, summary);
    }

    public static Outcome cannotRun(String summary) {
        return new Outcome(CANNOT_RUN, summary);
    }

    /** The same outcome with one more detail for {@code --output json}. */
    public Outcome with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new Outcome(exitCode, summary, more);
    }

    /** The word for the exit status in {@code --output json}. */
    public String result() {
        return switch (exitCode) {
            case OK -> "OK";
            case FAILURE -> "FAILURE";
            case REJECTED -> "REJECTED";
            case TIMED_OUT -> "TIMED_OUT";
            default -> "CANNOT_RUN";
        };
    }

    /** What {@code --output json} prints: result, exit code, summary, then the details. */
    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("result", result());
        json.put("exitCode", exitCode);
        json.put("summary", summary);
        json.putAll(details);
        return json;
    }
}
