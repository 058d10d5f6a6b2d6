package io.bgdeploy.logshipper.model;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A GELF 1.1 message, valid by construction: {@code host} and {@code short_message} present and not
 * blank, {@code level} a syslog severity, additional field names start with {@code _}, match
 * {@code ^[\w.\-]*$} and are never {@code _id}.
 *
 * @param timestamp   seconds since the epoch with millisecond precision (scale 3)
 * @param fullMessage {@code null} when the text is a single line
 * @param fields      additional fields in a stable order, names including the leading {@code _} (checked by {@link GelfFields})
 */
public record GelfMessage(String host, String shortMessage, String fullMessage, BigDecimal timestamp, int level,
                          GelfFields fields) {

    public static final String VERSION = "1.1";
    /** The field-name rule of the GELF 1.1 specification; {@link #isAllowedFieldName} applies it without a regex. */
    public static final Pattern FIELD_NAME = Pattern.compile("^[\\w.\\-]*$");

    public GelfMessage {
        requireNotBlank(host, "host");
        requireNotBlank(shortMessage, "short_message");
        if (timestamp == null) {
            throw new IllegalArgumentException("timestamp is required");
        }
        if (level < 0 || level > 7) {
            throw new IllegalArgumentException("level " + level + " is not a syslog severity (0..7)");
        }
        Objects.requireNonNull(fields, "fields");
    }

    /** Whether GELF 1.1 allows this additional field name. */
    public static boolean isAllowedFieldName(String name) {
        if (name == null || name.length() < 2 || name.charAt(0) != '_' || "_id".equals(name)) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!word && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** The text as a whole: {@code full_message} when present, else {@code short_message}. */
    public String text() {
        return fullMessage != null ? fullMessage : shortMessage;
    }

    private static void requireNotBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required and must not be blank");
        }
    }
}
