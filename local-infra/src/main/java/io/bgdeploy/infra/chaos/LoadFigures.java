package io.bgdeploy.infra.chaos;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one stretch of load through HAProxy saw: answers (any status), answers that were not 2xx,
 * requests that got no answer (connect, read and write errors, timeouts) and how long it ran.
 */
public record LoadFigures(long answered, long non2xx, long unanswered, double seconds) {

    public static final LoadFigures NONE = new LoadFigures(0, 0, 0, 0);

    private static final Pattern LINE = Pattern.compile(
            "CHAOS-LOAD answered=(\\d+) non2xx=(\\d+) connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+) micros=(\\d+)");

    /** Reads the line that keep-alive.lua's {@code done} prints at the end of wrk's report. */
    public static LoadFigures parse(String wrkOutput) {
        Matcher m = LINE.matcher(wrkOutput);
        if (!m.find()) {
            throw new IllegalArgumentException("wrk printed no CHAOS-LOAD line; its output was:\n" + wrkOutput);
        }
        long unanswered = 0;
        for (int group = 3; group <= 6; group++) {
            unanswered += Long.parseLong(m.group(group));
        }
        return new LoadFigures(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), unanswered,
                Long.parseLong(m.group(7)) / 1e6);
    }

    public long sent() {
        return answered + unanswered;
    }

    /** Every request that did not get a 2xx answer. */
    public long failed() {
        return non2xx + unanswered;
    }

    /** Both loads together: they ran side by side, so the longer time stands for both. */
    public LoadFigures plus(LoadFigures other) {
        return new LoadFigures(answered + other.answered, non2xx + other.non2xx, unanswered + other.unanswered,
                Math.max(seconds, other.seconds));
    }

    public double perSecond() {
        return seconds == 0 ? 0 : sent() / seconds;
    }
}
