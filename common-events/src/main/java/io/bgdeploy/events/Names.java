package io.bgdeploy.events;

import java.util.regex.Pattern;

/**
 * Validation of every name and value that crosses a service boundary and may end up in a
 * Kubernetes object name, an etcd key or an HAProxy configuration. Each {@code is...} method
 * answers, each {@code require...} method throws {@link IllegalArgumentException} with a message
 * that says what was wrong and what is allowed.
 *
 * <p>The allowed alphabets are deliberately narrow: none of them admits a quote, backslash,
 * {@code $}, {@code #}, {@code %}, whitespace or control character, so a validated value can never
 * change the meaning of the configuration file it is written into.
 */
public final class Names {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern VERSION = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /** The part of RFC 9110's token alphabet that no configuration language gives a meaning. */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HEADER_VALUE = Pattern.compile("[ -~&&[^\"'\\\\$#%`]]{0,1024}");
    private static final Pattern URL_PATH = Pattern.compile("/[A-Za-z0-9._~!&()*+,;=:@/-]{0,1023}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    /** Backend ids are {@code <namespace>-<appName>-<version>}: DNS-label characters, a bit longer. */
    private static final Pattern BACKEND_ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,190}[a-z0-9])?");
    private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9._]{0,126}[A-Za-z0-9])?");
    private static final Pattern FILE_PATH = Pattern.compile("/[A-Za-z0-9._/-]{1,1023}");

    private Names() {
    }

    /** A Kubernetes DNS label (RFC 1123, starting with a letter as Service names must). */
    public static boolean isDnsLabel(String s) {
        return s != null && DNS_LABEL.matcher(s).matches();
    }

    public static boolean isNamespace(String s) {
        return isDnsLabel(s);
    }

    public static boolean isAppName(String s) {
        return isDnsLabel(s);
    }

    /** A version as it appears in {@code <appName>-<version>}: lower-case letters, digits, '-'. */
    public static boolean isVersion(String s) {
        return s != null && s.length() <= 40 && VERSION.matcher(s).matches();
    }

    /**
     * A DNS host name (RFC 1123): dot-separated labels, at most 253 characters, no scheme, no port.
     * For names that are not frontends (pods, Secrets, data stores); a frontend's host is a {@link HostName}.
     */
    public static boolean isHostName(String s) {
        return HostName.isValid(s);
    }

    public static boolean isIpv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    /** A literal IPv4 or IPv6 address (no host names: servers are addressed by IP). */
    public static boolean isIpAddress(String s) {
        if (isIpv4(s)) {
            return true;
        }
        if (s == null || !s.contains(":") || !IPV6.matcher(s).matches()) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public static boolean isPort(int port) {
        return port >= 1 && port <= 65535;
    }

    public static boolean isHeaderName(String s) {
        return s != null && HEADER_NAME.matcher(s).matches();
    }

    /** Printable ASCII without quotes, backslash, {@code $}, {@code #}, {@code %} or backtick. */
    public static boolean isHeaderValue(String s) {
        return s != null && HEADER_VALUE.matcher(s).matches();
    }

    /** An absolute URL path without query, fragment, percent-escapes or quotes. */
    public static boolean isUrlPath(String s) {
        return s != null && URL_PATH.matcher(s).matches() && !s.contains("//");
    }

    public static boolean isEnvName(String s) {
        return s != null && ENV_NAME.matcher(s).matches();
    }

    public static boolean isBackendId(String s) {
        return s != null && BACKEND_ID.matcher(s).matches();
    }

    public static boolean isServerName(String s) {
        return s != null && SERVER_NAME.matcher(s).matches();
    }

    /** An absolute file path made of safe characters only (certificates, sockets). */
    public static boolean isSafeFilePath(String s) {
        return s != null && FILE_PATH.matcher(s).matches() && !s.contains("/../") && !s.endsWith("/..");
    }

    public static String requireNamespace(String s) {
        return require(isNamespace(s), s, "namespace",
                "a DNS label: lower-case letters, digits and '-', starting with a letter, at most 63 characters");
    }

    public static String requireAppName(String s) {
        return require(isAppName(s), s, "appName",
                "a DNS label: lower-case letters, digits and '-', starting with a letter, at most 63 characters");
    }

    public static String requireVersion(String s) {
        return require(isVersion(s), s, "version",
                "lower-case letters, digits and '-', at most 40 characters");
    }

    public static String requireIpAddress(String s) {
        return require(isIpAddress(s), s, "address", "a literal IPv4 or IPv6 address");
    }

    public static int requirePort(int port, String what) {
        if (!isPort(port)) {
            throw new IllegalArgumentException(what + " " + port + " is not a port: use 1 to 65535");
        }
        return port;
    }

    public static String requireHeaderName(String s) {
        return require(isHeaderName(s), s, "header name", "an HTTP token such as X-Frame-Options");
    }

    public static String requireHeaderValue(String s) {
        return require(isHeaderValue(s), s, "header value",
                "printable ASCII without quotes, backslash, '$', '#', '%' or '`', at most 1024 characters");
    }

    public static String requireUrlPath(String s) {
        return require(isUrlPath(s), s, "path",
                "an absolute path such as /health, without query, quotes, '%' or whitespace");
    }

    public static String requireBackendId(String s) {
        return require(isBackendId(s), s, "backend id",
                "lower-case letters, digits and '-' such as default-shop-3");
    }

    public static String requireServerName(String s) {
        return require(isServerName(s), s, "server name", "letters, digits, '-', '.' and '_'");
    }

    public static String requireSafeFilePath(String s) {
        return require(isSafeFilePath(s), s, "file path",
                "an absolute path of letters, digits, '.', '_', '-' and '/'");
    }

    public static <T> T requirePresent(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    public static String requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    /** Renders untrusted text for an error message: control characters escaped, long text cut. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= 80 && s.length() > 80) {
            out.append("...");
        }
        return out.toString();
    }

    private static String require(boolean ok, String value, String what, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(
                    what + " '" + printable(value) + "' is not valid: use " + allowed);
        }
        return value;
    }
}
