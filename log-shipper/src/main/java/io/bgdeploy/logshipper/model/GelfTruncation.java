package io.bgdeploy.logshipper.model;

import java.nio.charset.StandardCharsets;

/**
 * Cuts oversized log text to a byte budget and says so in the text itself: the result ends with
 * {@link #marker(long)} and the message carries {@code _truncated=true} and
 * {@code _original_bytes}, so a reader in Graylog sees that, and how much, was cut. Never splits a
 * UTF-8 sequence or a surrogate pair.
 */
public final class GelfTruncation {

    public static final String TRUNCATED_FIELD = "_truncated";
    public static final String ORIGINAL_BYTES_FIELD = "_original_bytes";
    /** Smallest budget that still leaves room for the marker and some text. */
    public static final int MIN_BUDGET = 256;

    private GelfTruncation() {
    }

    /** The visible marker appended to truncated text. */
    public static String marker(long originalBytes) {
        return " …[truncated by log-shipper: the original message had " + originalBytes + " bytes]";
    }

    public static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of {@code s} whose UTF-8 form has at most {@code maxBytes} bytes. */
    static String prefix(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else {
                width = 3;
            }
            if (bytes + width > maxBytes) {
                break;
            }
            bytes += width;
            i += chars;
        }
        return s.substring(0, i);
    }

    /**
     * The text cut so that text plus marker fit {@code maxBytes} UTF-8 bytes, or the text itself
     * when it fits already.
     *
     * @param originalBytes the size of the text before any truncation, for the marker
     */
    public static String truncate(String text, int maxBytes, long originalBytes) {
        if (utf8Length(text) <= maxBytes) {
            return text;
        }
        String marker = marker(originalBytes);
        int room = Math.max(0, maxBytes - marker.getBytes(StandardCharsets.UTF_8).length);
        return prefix(text, room) + marker;
    }

    /**
     * The message with its text cut further to {@code maxTextBytes}, keeping the marker of the
     * original size. Used when an encoding (a UDP chunk limit) needs a smaller message.
     */
    public static GelfMessage shrink(GelfMessage message, int maxTextBytes) {
        String text = message.text();
        String original = message.fields().get(ORIGINAL_BYTES_FIELD);
        long originalBytes = original != null ? Long.parseLong(original) : utf8Length(text);
        String marker = marker(originalBytes);
        if (original != null && text.endsWith(marker)) {
            text = text.substring(0, text.length() - marker.length());
        }
        String cut = prefix(text, Math.max(0, maxTextBytes - marker.getBytes(StandardCharsets.UTF_8).length)) + marker;
        GelfFields fields = message.fields().toBuilder()
                .put(TRUNCATED_FIELD, "true")
                .put(ORIGINAL_BYTES_FIELD, Long.toString(originalBytes))
                .build();
        return GelfMapper.withText(message.host(), cut, message.timestamp(), message.level(), fields);
    }
}
