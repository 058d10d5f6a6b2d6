package io.bgdeploy.lbagent.render;

/**
 * How many file descriptors HAProxy 2.6 asks for at start, and the global {@code maxconn} that keeps
 * it within the limit it inherits.
 *
 * <p>HAProxy adds up the descriptors it may need ({@code maxsock}) and raises its open-files limit to
 * that sum; with {@code strict-limits} (on by default since 2.3) it refuses to start when it cannot.
 * The sum, as HAProxy 2.6 counts it: 10 reserved, two per connection, one per listening socket, one
 * per server with a health check, three per thread (an epoll descriptor and a wake-up pipe), and in
 * master-worker mode the master CLI and the worker's CLI, each with its listener and 10 connections.
 * A process raises its soft limit up to its hard limit without privilege, so the hard limit is the
 * one that counts.
 *
 * @param limit   the hard open-files limit HAProxy inherits; {@link #UNLIMITED} when there is none
 * @param threads HAProxy's threads: one per CPU the process may run on
 */
public record FileDescriptorBudget(long limit, int threads) {

    public static final long UNLIMITED = Long.MAX_VALUE;

    /** What HAProxy falls back to itself when descriptors are short; a lower limit serves nothing useful. */
    public static final int MIN_CONNECTIONS = 100;

    /** 10 reserved, and two CLIs (master and worker) of one listener and 10 connections each. */
    static final int FIXED = 10 + 2 * (1 + 10);

    /** The thread limit of HAProxy 2.6 on 64-bit systems. */
    static final int MAX_THREADS = 64;

    public FileDescriptorBudget {
        if (limit < 1) {
            throw new IllegalArgumentException("the open-files limit must be at least 1, was " + limit);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        threads = Math.min(threads, MAX_THREADS);
    }

    /** No limit: every configuration fits. */
    public static FileDescriptorBudget unlimited() {
        return new FileDescriptorBudget(UNLIMITED, 1);
    }

    /** The descriptors HAProxy asks for with this {@code maxconn}, listening sockets and checked servers. */
    public long need(int maxConnections, int listeners, int checkedServers) {
        return 2L * maxConnections + overhead(listeners, checkedServers);
    }

    /**
     * The {@code maxconn} to render: the configured one when it fits (the file is then as if there
     * were no limit), else the highest multiple of 100 that fits, so that the value does not move
     * with every server added or removed; never below {@link #MIN_CONNECTIONS}.
     */
    public ConnectionLimit connectionLimit(int configured, int listeners, int checkedServers) {
        long need = need(configured, listeners, checkedServers);
        if (need <= limit) {
            return new ConnectionLimit(configured, configured, need, need, limit);
        }
        long fitting = (limit - overhead(listeners, checkedServers)) / 2 / 100 * 100;
        int effective = (int) Math.max(MIN_CONNECTIONS, Math.min(fitting, configured));
        return new ConnectionLimit(configured, effective, need, need(effective, listeners, checkedServers), limit);
    }

    private long overhead(int listeners, int checkedServers) {
        return FIXED + listeners + checkedServers + 3L * threads;
    }

    /**
     * What the limit made of the configured {@code maxconn}.
     *
     * @param configured    the configured maximum (lbagent.haproxy.max-connections)
     * @param effective     the maximum rendered into the file
     * @param need          the descriptors HAProxy would ask for with the configured maximum
     * @param effectiveNeed the descriptors HAProxy asks for with the rendered maximum
     * @param limit         the open-files limit HAProxy inherits
     */
    public record ConnectionLimit(int configured, int effective, long need, long effectiveNeed, long limit) {

        /** The configured maximum did not fit and a lower one is rendered. */
        public boolean lowered() {
            return effective < configured;
        }

        /** HAProxy can start with the rendered file; false when not even {@link #MIN_CONNECTIONS} fit. */
        public boolean fits() {
            return effectiveNeed <= limit;
        }
    }
}
