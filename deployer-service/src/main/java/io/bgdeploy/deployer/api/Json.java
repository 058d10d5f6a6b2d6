package io.bgdeploy.deployer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bgdeploy.events.EventCodec;

import java.io.UncheckedIOException;

/** Pretty-printed JSON, as the reference deployer answered (its scripts read it line by line). */
public final class Json {

    private Json() {
    }

    public static String pretty(Object value) {
        try {
            return EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A deployment as JSON in which the only line containing {@code status} is the top-level
     * {@code "status" : "..."} line, so that {@code grep "status"} in a CI script finds exactly one.
     * Any other occurrence (in the descriptor copy, a reason, a log) is written with the JSON escape
     * {@code \u0073}, which every JSON parser reads back as the same text.
     */
    public static String deployment(Object deployment) {
        String json = pretty(deployment);
        StringBuilder out = new StringBuilder(json.length() + 16);
        for (String line : json.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            boolean topLevelStatus = line.startsWith("  \"status\" : ");
            out.append(topLevelStatus ? line : line.replace("status", "\\u0073tatus"));
        }
        return out.toString();
    }
}
