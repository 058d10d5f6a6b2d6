package io.bgdeploy.logshipper.model;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The bookkeeping of at-least-once shipping, free of Kafka and of any transport: the records read
 * but not settled yet, in the order read, and which offsets may be committed.
 * <ul>
 *   <li>A record with a GELF message is settled when the transport's {@link GelfTransport.Receipt}
 *   vouches for it; a record without one (already sent to the dead-letter topic) is settled at once.</li>
 *   <li>Offsets are released per partition, and only up to the first record that is not settled,
 *   so a restart never skips a record.</li>
 *   <li>After a transport failure, {@link #sendAllAgain()} makes every unsettled message due again.</li>
 *   <li>Records of partitions this instance lost are forgotten: those not sent yet at once, those
 *   on their way when their receipt comes (the transport's numbering must stay intact).</li>
 * </ul>
 * Not thread-safe.
 *
 * @param <S> the record as read, kept so that a refused one can go to the dead-letter topic unchanged
 * @param <M> the message the transport sends for a record
 */
public final class InFlightRecords<S, M> {

    /** A partition of a topic. */
    public record Partition(String topic, int partition) {
    }

    /** A record that Graylog refused for good, with its reason. */
    public record Refused<S>(Partition partition, long offset, S record, String reason) {
    }

    /**
     * What a receipt settled.
     *
     * @param commits   for each partition, the offset to commit (the next one to read)
     * @param refused   records to send to the dead-letter topic before the commits are made
     * @param delivered records whose message Graylog took
     */
    public record Settlement<S>(Map<Partition, Long> commits, List<Refused<S>> refused, int delivered) {
        public boolean isEmpty() {
            return commits.isEmpty() && refused.isEmpty() && delivered == 0;
        }
    }

    private static final class Entry<S, M> {
        final Partition partition;
        final long offset;
        final S record;
        final M message;
        final long bytes;
        boolean forgotten;
        boolean sentBefore;

        Entry(Partition partition, long offset, S record, M message, long bytes) {
            this.partition = partition;
            this.offset = offset;
            this.record = record;
            this.message = message;
            this.bytes = bytes;
        }
    }

    private final List<Entry<S, M>> entries = new ArrayList<>();
    /** Index of the first entry whose message has not been sent since the transport's last reset. */
    private int nextToSend;
    private long bytes;

    /**
     * Adds a record read from Kafka.
     *
     * @param message what to ship for it, or {@code null} if it has nothing to ship (it was dead-lettered)
     * @param bytes   an estimate of the memory it holds
     */
    public void add(Partition partition, long offset, S record, M message, long bytes) {
        entries.add(new Entry<>(partition, offset, record, message, bytes));
        this.bytes += bytes;
    }

    /** Records not settled yet. */
    public int size() {
        return entries.size();
    }

    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether some message is waiting to be sent. */
    public boolean hasUnsent() {
        for (int i = nextToSend; i < entries.size(); i++) {
            if (entries.get(i).message != null) {
                return true;
            }
        }
        return false;
    }

    /** Where the messages go, in order. */
    public interface Sender<M> {
        /**
         * @param again whether this message was sent before (a resend after a failure)
         */
        void send(M message, boolean again) throws java.io.IOException;
    }

    /** Sends every message not sent since the transport's last reset, in order. */
    public void sendUnsent(Sender<M> sender) throws java.io.IOException {
        while (nextToSend < entries.size()) {
            Entry<S, M> e = entries.get(nextToSend);
            if (e.message != null) {
                sender.send(e.message, e.sentBefore);
                e.sentBefore = true;
            }
            nextToSend++;
        }
    }

    /** After the transport was reset: every unsettled message is due again. */
    public void sendAllAgain() {
        nextToSend = 0;
    }

    /**
     * Applies a receipt: removes the settled records from the head and says what to dead-letter
     * and commit.
     */
    public Settlement<S> settle(GelfTransport.Receipt receipt) {
        int toSettle = receipt.settled();
        Map<Integer, String> refusals = new LinkedHashMap<>();
        receipt.refusals().forEach(r -> refusals.put(r.index(), r.reason()));
        Map<Partition, Long> commits = new LinkedHashMap<>();
        List<Refused<S>> refused = new ArrayList<>();
        int delivered = 0;
        int messageIndex = 0;
        int removed = 0;
        long released = 0;
        for (Entry<S, M> e : entries) {
            boolean sent = removed < nextToSend;
            if (e.message != null) {
                if (messageIndex >= toSettle || !sent) {
                    break;
                }
                String refusal = refusals.get(messageIndex++);
                if (!e.forgotten) {
                    if (refusal != null) {
                        refused.add(new Refused<>(e.partition, e.offset, e.record, refusal));
                    } else {
                        delivered++;
                    }
                }
            }
            if (!e.forgotten) {
                commits.put(e.partition, e.offset + 1);
            }
            released += e.bytes;
            removed++;
        }
        if (messageIndex < toSettle) {
            throw new IllegalStateException("the transport settled " + toSettle + " messages but only " + messageIndex
                    + " were sent and unsettled");
        }
        entries.subList(0, removed).clear();
        bytes -= released;
        nextToSend = Math.max(0, nextToSend - removed);
        return new Settlement<>(commits, refused, delivered);
    }

    /**
     * Forgets the records of partitions this instance no longer owns (their new owner reads them
     * from the last commit). Records already sent stay, marked, until the transport settles them,
     * so that its numbering stays intact; they are then dropped without a commit.
     */
    public void forget(Predicate<Partition> lost) {
        int index = 0;
        for (Iterator<Entry<S, M>> it = entries.iterator(); it.hasNext(); index++) {
            Entry<S, M> e = it.next();
            if (!lost.test(e.partition)) {
                continue;
            }
            if (index >= nextToSend) {
                bytes -= e.bytes;
                it.remove();
                index--;
            } else {
                e.forgotten = true;
            }
        }
    }
}
