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

    /** How long an answer may wait for Kafka to take it before the command fails into lb-commands-dlq. */
    @WithDefault("60s")
    Duration answerTimeout();

    /** A command counts as applied only when at least this many agents are live and confirmed it. */
    @WithDefault("1")
    int minAgents();

    /**
     * How often etcd's history is compacted (one instance per round, up to the revision of the round
     * before, so every change stays watchable for at least this long); {@code 0s} leaves it to
     * etcd's own {@code --auto-compaction-*} flags or an operator.
     */
    @WithDefault("5m")
    Duration etcdCompactionInterval();

    /**
     * How long a command's outcome is kept in etcd (it answers the command read again without
     * applying it twice), and so how old a command may be to be applied: one sent longer ago is
     * refused unapplied. Longer than lb-commands keeps its records (Kafka's default: 7 days);
     * {@code 0s} keeps every outcome.
     */
    @WithDefault("8d")
    Duration commandOutcomeRetention();

    /** How often each instance deletes the outcomes the retention no longer keeps. */
    @WithDefault("1h")
    Duration commandOutcomePruneInterval();

    Auth auth();

    /** Who may change something through the REST API (today: remove an expected agent). */
    interface Auth {
        /**
         * A file whose first line is the operators' bearer token. Without it every change through
         * the REST API is refused.
         */
        Optional<String> tokenFile();
    }
}
