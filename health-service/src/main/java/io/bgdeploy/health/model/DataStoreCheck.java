package io.bgdeploy.health.model;

import io.bgdeploy.events.Names;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * One configured data-store check, validated: {@code tcp} connects to {@code host:port};
 * {@code http} sends a GET and wants a 2xx answer.
 */
public record DataStoreCheck(String name, String type, String host, int port, String path, Duration interval,
                             Duration timeout) {

    public static final String TCP = "tcp";
    public static final String HTTP = "http";

    public DataStoreCheck {
        if (name == null || !Names.isServerName(name)) {
            throw new IllegalArgumentException("data store name '" + Names.printable(name)
                    + "' must be letters, digits, '.', '-' or '_'");
        }
        if (!TCP.equals(type) && !HTTP.equals(type)) {
            throw new IllegalArgumentException("data store " + name + ": type '" + Names.printable(type)
                    + "' is unknown, use tcp or http");
        }
        if (!Names.isHostName(host) && !Names.isIpAddress(host)) {
            throw new IllegalArgumentException("data store " + name + ": '" + Names.printable(host)
                    + "' is not a host name or IP address");
        }
        Names.requirePort(port, "data store " + name + " port");
        if (interval.toMillis() < 100 || timeout.toMillis() < 10) {
            throw new IllegalArgumentException("data store " + name + ": interval must be >= 100 ms and timeout >= 10 ms");
        }
    }

    /** {@code host:port} as configured for a {@code tcp} check. */
    public static DataStoreCheck tcp(String name, String address, Duration interval, Duration timeout) {
        if (address == null) {
            throw new IllegalArgumentException("data store " + name + ": a tcp check needs address=host:port");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("data store " + name + ": address '" + Names.printable(address)
                    + "' is not host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new DataStoreCheck(name, TCP, host, parsePort(name, address.substring(colon + 1)), null, interval, timeout);
    }

    /** An {@code http://} URL for an {@code http} check. */
    public static DataStoreCheck http(String name, String url, Duration interval, Duration timeout) {
        if (url == null) {
            throw new IllegalArgumentException("data store " + name + ": an http check needs url=http://host:port/path");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("data store " + name + ": url '" + Names.printable(url) + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("data store " + name + ": url '" + Names.printable(url)
                    + "' must be http://host[:port]/path");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new DataStoreCheck(name, HTTP, host, uri.getPort() < 0 ? 80 : uri.getPort(), path, interval, timeout);
    }

    /** What is checked, for the dashboard. */
    public String target() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return TCP.equals(type) ? h + ":" + port : "http://" + h + ":" + port + path;
    }

    private static int parsePort(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("data store " + name + ": port '" + Names.printable(text) + "' is not a number");
        }
    }
}
