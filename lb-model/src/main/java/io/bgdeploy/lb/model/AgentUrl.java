package io.bgdeploy.lb.model;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where an agent's HTTP port is reached, as the agent registers it: {@code http(s)://host:port}
 * and nothing else (no user, path, query or fragment), so that what lb-config-service calls is
 * built from a known base and a path of its own, never from text it read in etcd.
 */
public record AgentUrl(URI uri) {

    public AgentUrl {
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("agent URL " + uri + " must start with http:// or https://, like http://10.0.0.7:8083");
        }
        if (uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException("agent URL " + uri + " must name a host and a port, like http://10.0.0.7:8083");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("agent URL " + uri + " must be only scheme, host and port, like http://10.0.0.7:8083");
        }
    }

    /** Parses {@code text}; the message says what was wrong and what is expected. */
    public static AgentUrl parse(String text) {
        try {
            return new AgentUrl(new URI(text));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("agent URL " + text + " is not a URL: " + e.getReason()
                    + "; expected scheme, host and port, like http://10.0.0.7:8083", e);
        }
    }

    /** This agent's {@code path} (which starts with a slash) with {@code query} (already encoded). */
    public URI resolve(String path, String query) {
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path + "?" + query);
    }

    @Override
    public String toString() {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
