package io.bgdeploy.infra.chaos;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one stretch of load through HAProxy saw: answers (any status), answers that were not 2xx,
 * requests sent that got no answer (read and write errors, timeouts), connections refused (no
 * request sent: wrk tries again at once, so these count attempts, not requests) and how long it ran.
 */
public record LoadFigures(long answered, long non2xx, long unanswered, long refusedConnects, double seconds) {

    public static final LoadFigures NONE = new LoadFigures(0, 0, 0, 0, 0);

    private static final Pattern LINE = Pattern.compile(
            "CHAOS-LOAD answered=(\\d+) non2xx=(\\d+) connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+) micros=(\\d+)");

    /** Reads the line that keep-alive.lua's {@code done} prints at the end of wrk's report. */
    public static LoadFigures parse(String wrkOutput) {
        Matcher m = LINE.matcher(wrkOutput);
        if (!m.find()) {
            throw new IllegalArgumentException("wrk printed no CHAOS-LOAD line; its output was:\n" + wrkOutput);
        }
        long unanswered = 0;
        for (int group = 4; group <= 6; group++) {
            unanswered += Long.parseLong(m.group(group));
        }
        return new LoadFigures(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), unanswered,
                Long.parseLong(m.group(3)), Long.parseLong(m.group(7)) / 1e6);
    }

    /** Requests written to a connection. */
    public long sent() {
        return answered + unanswered;
    }

    /** Every request sent that did not get a 2xx answer. */
    public long failed() {
        return non2xx + unanswered;
    }

    /** Both loads together: they ran side by side, so the longer time stands for both. */
    public LoadFigures alongside(LoadFigures other) {
        return new LoadFigures(answered + other.answered, non2xx + other.non2xx, unanswered + other.unanswered,
                refusedConnects + other.refusedConnects, Math.max(seconds, other.seconds));
    }

    /** This load, then the other: their times add up. */
    public LoadFigures then(LoadFigures other) {
        return new LoadFigures(answered + other.answered, non2xx + other.non2xx, unanswered + other.unanswered,
                refusedConnects + other.refusedConnects, seconds + other.seconds);
    }

    public double perSecond() {
        return seconds == 0 ? 0 : sent() / seconds;
    }
}
