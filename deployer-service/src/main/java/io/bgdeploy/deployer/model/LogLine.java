package io.bgdeploy.deployer.model;

import java.util.Objects;

/**
 * One line of a deployment's log and the key it is stored under. Keys order the lines as they were
 * written, whatever order their writes were confirmed in: a line may become readable after a later
 * one, so whoever follows a log tells lines apart by key, never by position.
 */
public record LogLine(String key, String text) implements Comparable<LogLine> {

    public LogLine {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public int compareTo(LogLine other) {
        return key.compareTo(other.key);
    }
}
