package io.bgdeploy.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * A host name a frontend is served under, validated and normalised once where it enters a
 * service (a descriptor, a Kafka record, an etcd key, a REST call) and carried as this type from
 * then on: whatever holds a {@code HostName} may write it into an etcd key, {@code haproxy.cfg},
 * the hosts map or a Runtime API command without checking it again.
 *
 * <p>The value is an RFC 1123 host name in lower case (HAProxy compares it with the request's
 * lower-cased {@code Host} header, and an etcd key must not differ by case alone): dot-separated
 * labels of ASCII letters, digits and '-', neither starting nor ending with '-', each at most 63
 * characters, at most 253 in all. Upper case is accepted and lower-cased. Not accepted: a scheme,
 * port or path, a trailing dot, wildcards (one frontend serves one host name exactly), and
 * Unicode: an internationalised name is given in its ASCII (IDNA) form, which the error message
 * spells out. None of the accepted characters means anything in haproxy.cfg, a map file or a
 * Runtime API command.
 *
 * <p>On the wire it is a JSON string.
 */
public record HostName(@JsonValue String value) implements Comparable<HostName> {

    public static final int MAX_LENGTH = 253;
    public static final int MAX_LABEL_LENGTH = 63;

    private static final String EXAMPLE = "app.example.com";

    /** Validates and lower-cases; throws {@link IllegalArgumentException} saying what was wrong. */
    public HostName {
        String problem = problemWith(value);
        if (problem != null) {
            throw new IllegalArgumentException(value == null ? "host name " + problem
                    : "host name '" + Names.printable(value) + "' " + problem);
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    /** The host name in {@code text}; throws {@link IllegalArgumentException} saying what was wrong. */
    @JsonCreator
    public static HostName of(String text) {
        return new HostName(text);
    }

    /** What is wrong with {@code text} as a host name (for example "contains '://': ..."), or empty when nothing. */
    public static Optional<String> problem(String text) {
        return Optional.ofNullable(problemWith(text));
    }

    public static boolean isValid(String text) {
        return problemWith(text) == null;
    }

    @Override
    public int compareTo(HostName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problemWith(String s) {
        if (s == null) {
            return "is required: give a host name such as " + EXAMPLE;
        }
        if (s.isEmpty()) {
            return "is empty: give a host name such as " + EXAMPLE;
        }
        if (s.contains("://")) {
            return "contains '://': give the host name only, e.g. " + EXAMPLE;
        }
        if (!s.chars().allMatch(c -> c < 0x80)) {
            return "is not ASCII: give an internationalised name in its IDNA form" + idnaForm(s);
        }
        if (s.length() > MAX_LENGTH) {
            return "is " + s.length() + " characters long: a host name has at most " + MAX_LENGTH;
        }
        if (s.endsWith(".")) {
            return "ends with '.': leave out the trailing dot";
        }
        for (String label : s.split("\\.", -1)) {
            String problem = labelProblem(label);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String labelProblem(String label) {
        if (label.isEmpty()) {
            return "has an empty label (a leading dot or two dots in a row): use a DNS name such as " + EXAMPLE;
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            return "has a label of " + label.length() + " characters: each dot-separated part has at most "
                    + MAX_LABEL_LENGTH;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
            if (!allowed) {
                return "contains " + describe(c) + ": use letters, digits, '-' and '.' only, without "
                        + (c == '*' ? "wildcards (a frontend serves exactly one host name)" : "port or path")
                        + ", e.g. " + EXAMPLE;
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            return "has a label starting or ending with '-': use a DNS name such as " + EXAMPLE;
        }
        return null;
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("the control character \\x%02x", (int) c)
                : c == ' ' ? "a space" : "'" + c + "'";
    }

    private static String idnaForm(String s) {
        try {
            String ascii = IDN.toASCII(s, IDN.USE_STD3_ASCII_RULES);
            return isValid(ascii) ? " ('" + ascii.toLowerCase(Locale.ROOT) + "')" : "";
        } catch (IllegalArgumentException notConvertible) {
            return "";
        }
    }
}
