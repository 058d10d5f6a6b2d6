package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfMessage;

import java.io.IOException;
import java.time.Duration;

/**
 * One way of handing GELF messages to Graylog. Not thread-safe: one shipper loop owns it.
 * <p>
 * Contract for at-least-once delivery: {@link #send} may buffer, {@link #flush} writes out what is
 * buffered, and {@link #verify} throws if anything written so far may not have reached a live
 * peer. A successful {@code verify()} at time T vouches for the writes made before
 * T − {@link #confirmDelay()}. After any exception the caller {@link #reset()}s the transport and
 * sends every unconfirmed message again.
 */
public interface GelfTransport extends AutoCloseable {

    /** Hands one message over (possibly into a buffer); the message may be cut further to fit the transport. */
    void send(GelfMessage message) throws IOException;

    void flush() throws IOException;

    /** Throws if the messages written since the last reset may have been lost. */
    void verify() throws IOException;

    /** How long after a write {@link #verify()} must run before it can vouch for that write. */
    Duration confirmDelay();

    /** Drops the connection and anything buffered; the next send connects again. */
    void reset();

    /** Messages that had to be cut further to fit the transport (UDP chunk limit). */
    default long truncatedByTransport() {
        return 0;
    }

    /** For logs: {@code tcp://host:port}. */
    String describe();

    @Override
    void close();
}
