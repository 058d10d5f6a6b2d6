package io.bgdeploy.lbconfig.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Every setting of lb-config-service ({@code lbconfig.*}; env vars {@code LBCONFIG_*}). */
@ConfigMapping(prefix = "lbconfig")
public interface LbConfig {

    /** CloudEvents source of the events this service publishes. */
    @WithDefault("/lb-config-service")
    String source();

    /** etcd request timeout. */
    @WithDefault("5s")
    Duration etcdTimeout();

    /** How long an applied command may wait for every live agent before it is reported as failed. */
    @WithDefault("30s")
    Duration applyTimeout();

    /** A command counts as applied only when at least this many agents are live and confirmed it. */
    @WithDefault("1")
    int minAgents();

    Agent agent();

    interface Agent {
        /** Run the HAProxy agent in this process. */
        @WithDefault("false")
        boolean enabled();

        /** Unique agent id; defaults to the host name. */
        Optional<String> id();

        @WithDefault("10s")
        Duration leaseTtl();

        /** Full re-read of etcd even when the watch is silent. */
        @WithDefault("15s")
        Duration reconcileInterval();

        @WithDefault("10s")
        Duration reloadTimeout();

        Haproxy haproxy();
    }

    interface Haproxy {
        @WithDefault("/usr/sbin/haproxy")
        String binary();

        /** The haproxy.cfg the agent writes and HAProxy loads. */
        @WithDefault("/tmp/bgdeploy-lb/haproxy.cfg")
        String configFile();

        /** Master CLI socket of HAProxy in master-worker mode. */
        @WithDefault("/tmp/bgdeploy-lb/master.sock")
        String masterSocket();

        /** Start HAProxy from the agent (local runs) instead of using an already running one. */
        @WithDefault("false")
        boolean start();

        @WithDefault("127.0.0.1")
        String publicAddress();

        @WithDefault("8000")
        int publicPort();

        @WithDefault("8443")
        int httpsPort();

        @WithDefault("127.0.0.1")
        String statsAddress();

        @WithDefault("8404")
        int statsPort();

        @WithDefault("30")
        int hardStopAfterSeconds();

        @WithDefault("4000")
        int maxConnections();
    }
}
