package io.bgdeploy.lbagent.model;

import java.time.Duration;

/**
 * How often HAProxy checks a health-checked server ({@code inter}), in whole milliseconds as the
 * rendered file and the Runtime API's {@code add server} take it. One rule for both, since the
 * value is written into each.
 */
public final class HealthCheckInterval {

    /** HAProxy checks every health-checked server every 2 s unless the agent is told otherwise. */
    public static final int DEFAULT_MILLIS = 2000;
    private static final int MIN_MILLIS = 100;
    private static final int MAX_MILLIS = 3_600_000;

    private HealthCheckInterval() {
    }

    /** Returns {@code millis}; throws unless it is 100 ms to 1 h. */
    public static int requireValid(int millis) {
        if (millis < MIN_MILLIS || millis > MAX_MILLIS) {
            throw new IllegalArgumentException("the health-check interval must be 100 ms to 1 h, was " + millis + " ms");
        }
        return millis;
    }

    /** {@code interval} in whole milliseconds; throws unless it is 100 ms to 1 h. */
    public static int millis(Duration interval) {
        if (interval == null) {
            throw new IllegalArgumentException("the health-check interval must be 100 ms to 1 h, was not set");
        }
        return requireValid((int) Math.min(Math.max(interval.toMillis(), Integer.MIN_VALUE), Integer.MAX_VALUE));
    }
}
