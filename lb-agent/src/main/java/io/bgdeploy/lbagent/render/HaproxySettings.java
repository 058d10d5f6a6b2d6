package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.Names;
import io.bgdeploy.lbagent.model.HealthCheckInterval;

/**
 * Settings of the HAProxy instance itself, not stored in etcd: where it listens and how it is
 * controlled. Validated like every other value that reaches the configuration.
 *
 * @param publicAddress   address of the public HTTP listener
 * @param publicPort      port of the public HTTP listener
 * @param httpsPort       port of the public HTTPS listener, bound only when a frontend uses TLS
 * @param statsAddress    address of the stats page (keep it on loopback)
 * @param statsPort       port of the stats page, served at {@code /stats}
 * @param runtimeSocket   the workers' own Runtime API socket ({@code level admin}), which the agent
 *                        uses rather than the master's relay; null: none, the Runtime API is then
 *                        reached through the master socket
 * @param hardStopAfter   seconds an old worker may keep serving long connections after a reload
 * @param maxConnections  global connection limit
 * @param stickyCookieKey secret from which HAProxy derives each server's sticky-session cookie; the
 *                        same on every HAProxy, so a client keeps its server whichever HAProxy it reaches
 * @param checkIntervalMillis how often each health-checked server is checked ({@code inter}), in the
 *                        file and in every server the Runtime API adds
 */
public record HaproxySettings(String publicAddress, int publicPort, int httpsPort, String statsAddress, int statsPort,
                              String runtimeSocket, int hardStopAfter, int maxConnections, String stickyCookieKey,
                              int checkIntervalMillis) {

    /** Letters, digits, '-' and '_': the key is written into haproxy.cfg. */
    private static final java.util.regex.Pattern COOKIE_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{8,128}");

    public HaproxySettings {
        Names.requireIpAddress(publicAddress);
        Names.requirePort(publicPort, "public port");
        Names.requirePort(httpsPort, "https port");
        Names.requireIpAddress(statsAddress);
        Names.requirePort(statsPort, "stats port");
        if (runtimeSocket != null) {
            HaproxySocketPath.require(runtimeSocket, "Runtime API socket");
        }
        if (hardStopAfter < 1) {
            throw new IllegalArgumentException("hardStopAfter must be at least 1 second, was " + hardStopAfter);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        if (stickyCookieKey == null || !COOKIE_KEY.matcher(stickyCookieKey).matches()) {
            throw new IllegalArgumentException("the sticky-session cookie key must be 8 to 128 letters, digits, '-' or '_'");
        }
        HealthCheckInterval.requireValid(checkIntervalMillis);
    }

    /** With HAProxy's default health-check interval. */
    public HaproxySettings(String publicAddress, int publicPort, int httpsPort, String statsAddress, int statsPort,
                           String runtimeSocket, int hardStopAfter, int maxConnections, String stickyCookieKey) {
        this(publicAddress, publicPort, httpsPort, statsAddress, statsPort, runtimeSocket, hardStopAfter, maxConnections,
                stickyCookieKey, HealthCheckInterval.DEFAULT_MILLIS);
    }

    /** Public HTTP on 127.0.0.1:8000, stats on 127.0.0.1:8404, HTTPS on 8443. */
    public static HaproxySettings localDefaults() {
        return new HaproxySettings("127.0.0.1", 8000, 8443, "127.0.0.1", 8404, null, 30, 4000, "bgdeploy-local");
    }

    public HaproxySettings withPorts(int publicPort, int statsPort) {
        return new HaproxySettings(publicAddress, publicPort, httpsPort, statsAddress, statsPort, runtimeSocket,
                hardStopAfter, maxConnections, stickyCookieKey, checkIntervalMillis);
    }

    public HaproxySettings withRuntimeSocket(String socket) {
        return new HaproxySettings(publicAddress, publicPort, httpsPort, statsAddress, statsPort, socket,
                hardStopAfter, maxConnections, stickyCookieKey, checkIntervalMillis);
    }

    /** A bind address; IPv6 literals take HAProxy's {@code ipv6@} prefix. */
    private static String bind(String address, int port) {
        return (address.contains(":") ? "ipv6@" + address : address) + ":" + port;
    }

    public String publicBind() {
        return bind(publicAddress, publicPort);
    }

    public String httpsBind() {
        return bind(publicAddress, httpsPort);
    }

    public String statsBind() {
        return bind(statsAddress, statsPort);
    }
}
