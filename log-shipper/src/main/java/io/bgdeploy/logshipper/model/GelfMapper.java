package io.bgdeploy.logshipper.model;

import io.bgdeploy.events.logs.ContainerLogRecord;

import java.math.BigDecimal;

/**
 * Maps a container log record to a GELF 1.1 message for searching in Graylog: {@code host} is the
 * pod, {@code short_message} the first line, {@code full_message} the whole text when it has
 * several lines, {@code timestamp} in epoch seconds with milliseconds, {@code level} as the line
 * states it or else by stream, and the record's identity as additional fields. Text longer than
 * {@link Settings#maxMessageBytes()} is cut with a visible marker. Pure and thread-safe.
 */
public final class GelfMapper {

    public static final String NAMESPACE = "_namespace";
    public static final String APP = "_app";
    public static final String VERSION = "_version";
    public static final String POD = "_pod";
    public static final String CONTAINER = "_container";
    public static final String STREAM = "_stream";
    public static final String DEPLOYMENT_ID = "_deployment_id";
    public static final String NODE = "_node";

    /** Shown when a record's text has nothing but whitespace: GELF requires a short_message. */
    public static final String EMPTY_TEXT = "<empty line>";

    /**
     * @param maxMessageBytes the most UTF-8 bytes of log text one message carries, marker included
     * @param stdoutLevel     syslog level of stdout lines that state none
     * @param stderrLevel     syslog level of stderr lines that state none
     */
    public record Settings(int maxMessageBytes, int stdoutLevel, int stderrLevel) {
        public static final Settings DEFAULTS = new Settings(32 * 1024, GelfLevels.INFO, GelfLevels.ERROR);

        public Settings {
            if (maxMessageBytes < GelfTruncation.MIN_BUDGET) {
                throw new IllegalArgumentException("the maximum message size must be at least "
                        + GelfTruncation.MIN_BUDGET + " bytes, was " + maxMessageBytes);
            }
            if (stdoutLevel < 0 || stdoutLevel > 7 || stderrLevel < 0 || stderrLevel > 7) {
                throw new IllegalArgumentException("levels must be syslog severities 0..7");
            }
        }
    }

    private final Settings settings;

    public GelfMapper(Settings settings) {
        this.settings = settings;
    }

    public GelfMessage map(ContainerLogRecord record) {
        String text = stripTrailingNewlines(record.line());
        int originalBytes = GelfTruncation.utf8Length(text);
        GelfFields.Builder fields = GelfFields.builder();
        fields.put(NAMESPACE, record.namespace());
        fields.put(APP, record.app());
        fields.put(VERSION, record.version());
        fields.put(POD, record.pod());
        fields.put(CONTAINER, record.container());
        fields.put(STREAM, record.stream());
        fields.put(DEPLOYMENT_ID, record.deploymentId());
        fields.put(NODE, record.node());
        if (originalBytes > settings.maxMessageBytes()) {
            text = GelfTruncation.truncate(text, settings.maxMessageBytes(), originalBytes);
            fields.put(GelfTruncation.TRUNCATED_FIELD, "true");
            fields.put(GelfTruncation.ORIGINAL_BYTES_FIELD, Integer.toString(originalBytes));
        }
        int level = GelfLevels.parse(text).orElse(ContainerLogRecord.STDERR.equals(record.stream())
                ? settings.stderrLevel() : settings.stdoutLevel());
        BigDecimal timestamp = BigDecimal.valueOf(record.timestamp().toEpochMilli(), 3);
        return withText(record.pod(), text, timestamp, level, fields.build());
    }

    /** Splits text into short_message (its first non-blank line) and full_message (all of it, if several lines). */
    static GelfMessage withText(String host, String text, BigDecimal timestamp, int level, GelfFields fields) {
        int nl = text.indexOf('\n');
        if (nl < 0) {
            return new GelfMessage(host, text.isBlank() ? EMPTY_TEXT : text, null, timestamp, level, fields);
        }
        String shortMessage = EMPTY_TEXT;
        for (String line : text.split("\n")) {
            String candidate = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!candidate.isBlank()) {
                shortMessage = candidate;
                break;
            }
        }
        return new GelfMessage(host, shortMessage, text, timestamp, level, fields);
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
