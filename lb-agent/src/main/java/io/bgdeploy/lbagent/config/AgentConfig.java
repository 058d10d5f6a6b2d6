package io.bgdeploy.lbagent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Every setting of lb-agent ({@code lbagent.*}; env vars {@code LBAGENT_*}). */
@ConfigMapping(prefix = "lbagent")
public interface AgentConfig {

    /** CloudEvents source of the events this agent publishes. */
    @WithDefault("/lb-agent")
    String source();

    /** Unique agent id; defaults to the host name. */
    Optional<String> id();

    /** etcd request timeout. */
    @WithDefault("5s")
    Duration etcdTimeout();

    /** The agent counts as gone this long after it stops renewing its lease. */
    @WithDefault("10s")
    Duration leaseTtl();

    /** Full re-read of etcd even when the watch is silent. */
    @WithDefault("15s")
    Duration reconcileInterval();

    /** How long a reload of a small configuration may take until it counts as failed. */
    @WithDefault("10s")
    Duration reloadTimeout();

    /** Added to {@link #reloadTimeout()} for every 1,000 backend sections: a new worker takes longer to load more. */
    @WithDefault("5s")
    Duration reloadTimeoutPerThousandSections();

    /** How long a server that leaves keeps its open connections before they are shut down and it is deleted. */
    @WithDefault("10s")
    Duration serverDrainTimeout();

    Haproxy haproxy();

    interface Haproxy {
        @WithDefault("/usr/sbin/haproxy")
        String binary();

        /** The haproxy.cfg the agent writes and HAProxy loads. */
        @WithDefault("/tmp/bgdeploy-lb/haproxy.cfg")
        String configFile();

        /** Master CLI socket of HAProxy in master-worker mode; at most 97 bytes. */
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

        /**
         * HAProxy's global {@code maxconn}. When the open-files limit HAProxy inherits cannot hold it
         * (two descriptors per connection, one per health-checked server), a lower one is rendered.
         */
        @WithDefault("4000")
        int maxConnections();

        /**
         * How often HAProxy checks each server whose backend asks for a health check ({@code inter};
         * a server leaves after 3 failed checks and comes back after 2 good ones). Every HAProxy checks
         * every such server: with thousands of them, a longer interval lowers that load (at 5,000 apps
         * 10,000 checks every 2 s) at the price of a dead server leaving later. 100 ms to 1 h.
         */
        @WithDefault("2s")
        Duration checkInterval();

        /**
         * The hard open-files limit HAProxy runs with; by default this agent's own, which HAProxy
         * inherits when the agent starts it. Set it when HAProxy runs apart with another limit.
         */
        Optional<Long> openFilesLimit();

        /**
         * Secret from which HAProxy derives the sticky-session cookie of each server; set the same
         * value on every HAProxy of a cluster so a client keeps its server whichever it reaches.
         */
        @WithDefault("bgdeploy-sticky")
        String stickyCookieKey();
    }
}
