package io.bgdeploy.infra.chaos;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marker every chaos request carries ({@code /?chaos=<row>.<app>.<thread>.<n>}), which the
 * sample app writes into its log line: the same marker found in a GELF message proves that line
 * arrived.
 */
public final class LogMarkers {

    private static final Pattern MARKER = Pattern.compile("chaos=([a-z0-9]+\\.[a-z0-9]+\\.[0-9]+\\.[0-9]+)");

    private LogMarkers() {
    }

    /** The marker in a line (a log line or a GELF message as JSON), if any. */
    public static Optional<String> in(String line) {
        Matcher m = MARKER.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The row a marker belongs to, its first part. */
    public static String row(String marker) {
        return marker.substring(0, marker.indexOf('.'));
    }
}
