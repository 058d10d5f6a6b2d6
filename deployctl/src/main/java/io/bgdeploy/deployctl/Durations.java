package io.bgdeploy.deployctl;

import java.time.Duration;
import java.util.Locale;

/** Durations as people read them in a CI log: {@code 850 ms}, {@code 12.3 s}, {@code 2 min 5 s}. */
final class Durations {

    private Durations() {
    }

    static String format(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        Duration d = Duration.ofMillis(millis);
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    static String format(Duration d) {
        return format(d.toMillis());
    }
}
