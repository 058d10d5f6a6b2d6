package io.bgdeploy.logshipper.model;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The port to Graylog: one way of handing GELF messages over. Not thread-safe: one shipping loop
 * owns it.
 * <p>
 * Messages are numbered in the order they are sent, from the last {@link #reset()} on.
 * {@link #settle()} says how many of the next messages the transport now vouches for, in that
 * order, and which of those Graylog refused for good. Whatever it throws means that anything sent
 * since the last reset and not settled yet may be lost: the caller resets the transport and sends
 * every unsettled message again (at least once).
 */
public interface GelfTransport extends AutoCloseable {

    /** What one transport proves about a settled message. */
    enum Proof {
        /** Graylog acknowledged the message (GELF HTTP: 202 Accepted). */
        ACKNOWLEDGED,
        /**
         * The message was written and the connection was still open a confirm delay later (GELF
         * TCP): lost if the peer took the bytes and vanished or dropped them.
         */
        WRITTEN_AND_CONNECTION_KEPT,
        /** The datagram was sent and no ICMP error came back (GELF UDP): lost if dropped on the way. */
        SENT
    }

    /**
     * The bytes {@link #send(byte[])} takes for this message: GELF JSON for HTTP and TCP, the
     * datagram payload for UDP (gzip when it would not fit one datagram, cut further if it would not
     * fit 128 chunks). Pure and thread-safe, so that the shipper encodes a batch in parallel, off
     * the sending thread, and keeps only these bytes for as long as the message may have to be
     * sent again.
     */
    byte[] encode(GelfMessage message);

    /**
     * Hands one message over, as {@link #encode(GelfMessage)} made it; it may wait in a buffer
     * until {@link #flush()}.
     */
    void send(byte[] encoded) throws IOException;

    /**
     * Writes out what is buffered, or has it go out as soon as the transport may: over HTTP, while
     * every request slot is busy, it goes with a later {@code flush()} or {@link #settle()}. May wait
     * while the receiver is slower than the sender.
     */
    void flush() throws IOException;

    /** What the transport vouches for since the previous receipt; never blocks. */
    Receipt settle() throws IOException;

    /** How long until {@link #settle()} may vouch for more of what was sent; zero when nothing is pending. */
    Duration settleWait();

    /** Drops connections, buffers and requests in flight; the next send starts afresh, numbered from 0. */
    void reset();

    Proof proof();

    /**
     * Whether {@link #settle()} may list refusals. Only then does the shipper keep each record as
     * read while it is in flight, for the dead-letter topic; a transport that never refuses a
     * message (TCP, UDP) lets it keep just the encoded message.
     */
    default boolean refuses() {
        return false;
    }

    /** Messages that had to be cut further to fit the transport (the UDP chunk limit). */
    default long truncatedByTransport() {
        return 0;
    }

    /** For logs: {@code tcp://host:port}. */
    String describe();

    @Override
    void close();

    /**
     * The next {@code settled} messages, in the order sent, are settled: delivered, or refused
     * for good by the receiver (those are listed, with their index counted from the first of
     * them).
     */
    record Receipt(int settled, List<Refusal> refusals) {

        public static final Receipt NOTHING = new Receipt(0, List.of());

        public Receipt {
            refusals = List.copyOf(refusals);
            if (settled < 0) {
                throw new IllegalArgumentException("settled must not be negative");
            }
            for (Refusal r : refusals) {
                if (r.index() < 0 || r.index() >= settled) {
                    throw new IllegalArgumentException("refusal " + r.index() + " is outside the " + settled + " settled messages");
                }
            }
        }

        public static Receipt delivered(int count) {
            return count == 0 ? NOTHING : new Receipt(count, List.of());
        }
    }

    /** A message the receiver will never take (for example HTTP 400 or 413), with the reason it gave. */
    record Refusal(int index, String reason) {
    }
}
