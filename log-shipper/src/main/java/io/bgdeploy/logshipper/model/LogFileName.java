package io.bgdeploy.logshipper.model;

import io.bgdeploy.events.Names;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kubelet's file name under {@code /var/log/containers} says:
 * {@code <pod>_<namespace>_<container>-<containerid>.log}.
 */
public record LogFileName(String pod, String namespace, String container, String containerId) {

    private static final Pattern NAME = Pattern.compile(
            "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)_([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)_([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)-([0-9a-f]{12,64})\\.log");

    public static Optional<LogFileName> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches() || !Names.isNamespace(m.group(3))) {
            return Optional.empty();
        }
        return Optional.of(new LogFileName(m.group(1), m.group(3), m.group(5), m.group(7)));
    }
}
