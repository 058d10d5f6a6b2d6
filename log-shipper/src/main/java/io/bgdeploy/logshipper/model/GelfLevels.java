package io.bgdeploy.logshipper.model;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the severity a log line states about itself, as a syslog level (0 emergency .. 7 debug).
 * Looks only at the start of the line: a keyed form ({@code level=warn}, {@code "level":"error"},
 * {@code severity: INFO}) in any case, else an upper-case level word ({@code ERROR}, {@code [WARN]},
 * {@code FATAL}) so that prose like "no error found" does not count.
 */
public final class GelfLevels {

    public static final int EMERGENCY = 0;
    public static final int ALERT = 1;
    public static final int CRITICAL = 2;
    public static final int ERROR = 3;
    public static final int WARNING = 4;
    public static final int NOTICE = 5;
    public static final int INFO = 6;
    public static final int DEBUG = 7;

    /** How many characters of the first line are searched. */
    static final int SCAN_CHARS = 256;

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("EMERG", EMERGENCY), Map.entry("EMERGENCY", EMERGENCY), Map.entry("PANIC", EMERGENCY),
            Map.entry("ALERT", ALERT),
            Map.entry("FATAL", CRITICAL), Map.entry("CRIT", CRITICAL), Map.entry("CRITICAL", CRITICAL),
            Map.entry("ERROR", ERROR), Map.entry("ERR", ERROR), Map.entry("SEVERE", ERROR),
            Map.entry("WARN", WARNING), Map.entry("WARNING", WARNING),
            Map.entry("NOTICE", NOTICE),
            Map.entry("INFO", INFO), Map.entry("INFORMATION", INFO),
            Map.entry("DEBUG", DEBUG), Map.entry("TRACE", DEBUG), Map.entry("FINE", DEBUG),
            Map.entry("FINER", DEBUG), Map.entry("FINEST", DEBUG));

    private static final Pattern KEYED = Pattern.compile(
            "(?i)(?<![\\w])\"?(?:level|severity|lvl|loglevel)\"?\\s*[=:]\\s*\"?([a-z]+)");
    private GelfLevels() {
    }

    /** The level the line states, if any. */
    public static OptionalInt parse(String line) {
        if (line == null || line.isEmpty()) {
            return OptionalInt.empty();
        }
        int end = Math.min(line.length(), SCAN_CHARS);
        int nl = line.indexOf('\n');
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        String head = line.substring(0, end);
        String lower = head.toLowerCase(Locale.ROOT);
        if (lower.contains("lev") || lower.contains("sever") || lower.contains("lvl")) {
            Matcher keyed = KEYED.matcher(head);
            while (keyed.find()) {
                Integer level = NAMES.get(keyed.group(1).toUpperCase(Locale.ROOT));
                if (level != null) {
                    return OptionalInt.of(level);
                }
            }
        }
        return firstLevelWord(head);
    }

    /** The first upper-case level word standing alone (not part of a longer word). */
    private static OptionalInt firstLevelWord(String head) {
        int i = 0;
        int n = head.length();
        while (i < n) {
            if (!isWordChar(head.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean upper = true;
            while (i < n && isWordChar(head.charAt(i))) {
                char c = head.charAt(i);
                upper &= c >= 'A' && c <= 'Z';
                i++;
            }
            if (upper && i - start >= 3 && i - start <= 11) {
                Integer level = NAMES.get(head.substring(start, i));
                if (level != null) {
                    return OptionalInt.of(level);
                }
            }
        }
        return OptionalInt.empty();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
