package io.bgdeploy.deployctl;

import io.bgdeploy.events.Names;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Option values checked where they enter: namespaces, durations, the deployer's URL. */
final class Converters {

    private Converters() {
    }

    /** A namespace: a DNS label. */
    static final class NamespaceConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!Names.isNamespace(value)) {
                throw new TypeConversionException("'" + Names.printable(value)
                        + "' is not a DNS label: use lower-case letters, digits and '-', starting with a letter");
            }
            return value;
        }
    }

    /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h30m}, a plain number of seconds, or ISO-8601 {@code PT10M}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("a duration must be longer than zero");
            }
            return d;
        }

        static Duration parse(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            if (v.startsWith("pt")) {
                try {
                    return Duration.parse(v.toUpperCase(Locale.ROOT));
                } catch (DateTimeParseException e) {
                    throw bad(value);
                }
            }
            Matcher m = SIMPLE_DURATION.matcher(v);
            Duration d = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                end = m.end();
            }
            if (end == 0 || end != v.length()) {
                throw bad(value);
            }
            return d;
        }

        private static TypeConversionException bad(String value) {
            return new TypeConversionException("'" + Names.printable(value) + "' is not a duration: use e.g. 90s, 10m, 1h30m or PT10M");
        }
    }

    /** The deployer's base URL: http(s), a host, no query or fragment; a trailing slash is dropped. */
    static final class BaseUrlConverter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri;
            try {
                uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + Names.printable(value) + "' is not a URL: " + e.getMessage());
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new TypeConversionException("'" + Names.printable(value)
                        + "' is not an http(s) URL: use the deployer's base URL, e.g. http://deployer:8080");
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                throw new TypeConversionException("'" + Names.printable(value) + "': the deployer's base URL has no query or fragment");
            }
            return uri;
        }
    }
}
