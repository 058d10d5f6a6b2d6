package io.bgdeploy.logshipper.delivery;

import java.util.concurrent.atomic.AtomicLong;

/** Counters and state of a shipper loop, read by metrics and the readiness check from other threads. */
public final class ShipperStats {

    /** Records whose message the transport settled as delivered. */
    public final AtomicLong delivered = new AtomicLong();
    /** Messages written to the transport, resends included. */
    public final AtomicLong sent = new AtomicLong();
    /** Messages sent again after a failed or unconfirmed delivery. */
    public final AtomicLong resent = new AtomicLong();
    /** Records sent to the dead-letter topic, for either reason below. */
    public final AtomicLong deadLettered = new AtomicLong();
    /** Records that are not valid container log events. */
    public final AtomicLong malformed = new AtomicLong();
    /** Records whose message Graylog refused for good (HTTP 400 or 413). */
    public final AtomicLong refused = new AtomicLong();
    public final AtomicLong truncated = new AtomicLong();
    public final AtomicLong deliveryFailures = new AtomicLong();
    public final AtomicLong inFlight = new AtomicLong();
    public final AtomicLong inFlightBytes = new AtomicLong();
    /** Partitions of the topic this instance owns now. */
    public final AtomicLong assignedPartitions = new AtomicLong();

    private volatile boolean reachable = true;
    private volatile boolean paused;
    private volatile String lastError = "";

    public boolean reachable() {
        return reachable;
    }

    public boolean paused() {
        return paused;
    }

    public String lastError() {
        return lastError;
    }

    public void failed(String error) {
        reachable = false;
        lastError = error;
        deliveryFailures.incrementAndGet();
    }

    void recovered() {
        reachable = true;
    }

    void paused(boolean value) {
        paused = value;
    }
}
