package io.bgdeploy.logshipper.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One line of a CRI container log file: {@code <RFC3339Nano> <stdout|stderr> <P|F> <text>}.
 * {@code P} marks a partial line, continued by the next line(s) of the same stream up to an {@code F}.
 */
public record CriLine(Instant time, String stream, boolean partial, String text) {

    /** Parses a line without its newline; empty if it is not a CRI line. */
    public static Optional<CriLine> parse(String line) {
        int s1 = line.indexOf(' ');
        if (s1 <= 0) {
            return Optional.empty();
        }
        int s2 = line.indexOf(' ', s1 + 1);
        if (s2 < 0) {
            return Optional.empty();
        }
        int s3 = line.indexOf(' ', s2 + 1);
        String tag = s3 < 0 ? line.substring(s2 + 1) : line.substring(s2 + 1, s3);
        String text = s3 < 0 ? "" : line.substring(s3 + 1);
        String stream = line.substring(s1 + 1, s2);
        if (!"stdout".equals(stream) && !"stderr".equals(stream)) {
            return Optional.empty();
        }
        boolean partial = false;
        boolean known = false;
        for (String t : tag.split(":")) {
            if ("P".equals(t)) {
                partial = true;
                known = true;
            } else if ("F".equals(t)) {
                known = true;
            }
        }
        if (!known) {
            return Optional.empty();
        }
        try {
            Instant time = OffsetDateTime.parse(line.substring(0, s1), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return Optional.of(new CriLine(time, stream, partial, text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
