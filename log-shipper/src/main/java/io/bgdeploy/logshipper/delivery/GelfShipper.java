package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.gelf.GelfMapper;
import io.bgdeploy.logshipper.gelf.GelfMessage;
import io.bgdeploy.logshipper.gelf.GelfTruncation;
import io.bgdeploy.logshipper.source.ContainerLogDecoder;
import io.bgdeploy.logshipper.source.DeadLetters;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shipping loop: polls {@code container-logs}, maps each record to GELF, hands it to the
 * transport and commits a record's offset only once the transport vouched for it (at least once).
 * <ul>
 *   <li>Records not yet confirmed are kept, in order, up to a bound of records and bytes; when the
 *   bound is reached, or Graylog is unreachable, the consumer is paused (it keeps polling so that it
 *   stays in its group) and memory stays bounded.</li>
 *   <li>A failed send or a failed check resets the transport and, after an exponential backoff,
 *   sends every unconfirmed record again: nothing is lost, Graylog may see a record twice.</li>
 *   <li>A record that is not a valid ContainerLogRecord goes to the dead-letter topic with the
 *   reason; the loop goes on with the next record.</li>
 * </ul>
 * Runs on one thread; {@link #close()} from any thread stops it.
 */
public final class GelfShipper implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GelfShipper.class);
    /** Batches at least this large are decoded and mapped on all cores. */
    private static final int PARALLEL_BATCH = 64;

    /**
     * @param maxInFlightRecords records polled but not yet confirmed before the consumer pauses
     * @param maxInFlightBytes   their GELF text bytes before the consumer pauses
     */
    public record Settings(String topic, int maxInFlightRecords, long maxInFlightBytes, Duration pollTimeout,
                           Duration initialBackoff, Duration maxBackoff) {
        public static Settings defaults(String topic) {
            return new Settings(topic, 10_000, 64L * 1024 * 1024, Duration.ofMillis(500),
                    Duration.ofMillis(200), Duration.ofSeconds(10));
        }
    }

    /** A polled record until its offset is committed. */
    private static final class Pending {
        final TopicPartition partition;
        final long offset;
        final GelfMessage message;
        final long bytes;
        long writtenAt;

        Pending(TopicPartition partition, long offset, GelfMessage message, long writtenAt) {
            this.partition = partition;
            this.offset = offset;
            this.message = message;
            this.bytes = message == null ? 0 : 2L * message.text().length() + 512;
            this.writtenAt = writtenAt;
        }
    }

    private final Consumer<String, String> consumer;
    private final DeadLetters deadLetters;
    private final GelfMapper mapper;
    private final GelfTransport transport;
    private final Settings settings;
    private final ShipperStats stats;

    private final List<Pending> unconfirmed = new ArrayList<>();
    /** How many of {@link #unconfirmed} have been written on the transport since its last reset. */
    private int written;
    private long unconfirmedBytes;
    private long retryAt;
    private Duration backoff;
    private boolean paused;
    private volatile boolean running = true;

    public GelfShipper(Consumer<String, String> consumer, DeadLetters deadLetters, GelfMapper mapper,
                       GelfTransport transport, Settings settings, ShipperStats stats) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.mapper = mapper;
        this.transport = transport;
        this.settings = settings;
        this.stats = stats;
        this.backoff = settings.initialBackoff();
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(settings.topic()), new Rebalance());
        LOG.infof("shipping %s to %s (at least once, up to %d records in flight)", settings.topic(),
                transport.describe(), settings.maxInFlightRecords());
        try {
            while (running) {
                cycle();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drain();
            transport.close();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** On a clean stop, confirms what was written so that a restart ships as few duplicates as possible. */
    private void drain() {
        if (unconfirmed.isEmpty() || !stats.reachable()) {
            return;
        }
        try {
            deliver();
            Thread.sleep(transport.confirmDelay().toMillis());
            deliver();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            LOG.debugf("final commit skipped: %s", e.getMessage());
        }
    }

    private void cycle() throws InterruptedException {
        long now = System.nanoTime();
        boolean backingOff = now < retryAt;
        boolean full = unconfirmed.size() >= settings.maxInFlightRecords() || unconfirmedBytes >= settings.maxInFlightBytes();
        setPaused(backingOff || full);
        ConsumerRecords<String, String> records = consumer.poll(pollTimeout(now, backingOff));
        if (!records.isEmpty()) {
            List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.count());
            records.forEach(batch::add);
            List<Mapped> mapped = (batch.size() >= PARALLEL_BATCH ? batch.parallelStream() : batch.stream())
                    .map(this::map).toList();
            for (int i = 0; i < batch.size(); i++) {
                enqueue(batch.get(i), mapped.get(i));
            }
        }
        if (System.nanoTime() >= retryAt) {
            deliver();
        }
        stats.inFlight.set(unconfirmed.size());
        stats.inFlightBytes.set(unconfirmedBytes);
    }

    private Duration pollTimeout(long now, boolean backingOff) {
        if (backingOff) {
            return Duration.ofNanos(Math.min(retryAt - now, settings.pollTimeout().toNanos()));
        }
        if (!unconfirmed.isEmpty()) {
            long confirmIn = Math.max(transport.confirmDelay().toNanos(), Duration.ofMillis(5).toNanos());
            return Duration.ofNanos(Math.min(confirmIn, settings.pollTimeout().toNanos()));
        }
        return settings.pollTimeout();
    }

    /** A record decoded and mapped, or why it could not be. */
    private record Mapped(GelfMessage message, String failure) {
    }

    /** Pure and thread-safe: decoding and mapping of a large batch run in parallel. */
    private Mapped map(ConsumerRecord<String, String> record) {
        try {
            ContainerLogRecord log = ContainerLogDecoder.decode(record.value());
            return new Mapped(mapper.map(log), null);
        } catch (MalformedEventException | IllegalArgumentException e) {
            return new Mapped(null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void enqueue(ConsumerRecord<String, String> record, Mapped mapped) throws InterruptedException {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        GelfMessage message = mapped.message();
        if (message == null) {
            deadLetter(record, mapped.failure());
            unconfirmed.add(new Pending(partition, record.offset(), null, System.nanoTime()));
            return;
        }
        if (message.fields().containsKey(GelfTruncation.TRUNCATED_FIELD)) {
            stats.truncated.incrementAndGet();
        }
        Pending pending = new Pending(partition, record.offset(), message, 0);
        unconfirmed.add(pending);
        unconfirmedBytes += pending.bytes;
    }

    private void deadLetter(ConsumerRecord<String, String> record, String reason) throws InterruptedException {
        Duration wait = settings.initialBackoff();
        while (running) {
            try {
                deadLetters.send(record, reason);
                stats.deadLettered.incrementAndGet();
                LOG.warnf("record %s-%d@%d is not a container log record, sent to %s: %s", record.topic(),
                        record.partition(), record.offset(), deadLetters.topic(), Names.printable(reason));
                return;
            } catch (DeadLetters.DeadLetterException e) {
                LOG.warnf("%s; retrying in %d ms", e.getMessage(), wait.toMillis());
                Thread.sleep(wait.toMillis());
                wait = min(wait.multipliedBy(2), settings.maxBackoff());
            }
        }
    }

    /** Writes what is not written yet, then confirms and commits what the transport vouches for. */
    private void deliver() {
        try {
            for (int i = written; i < unconfirmed.size(); i++) {
                Pending p = unconfirmed.get(i);
                if (p.message != null) {
                    transport.send(p.message);
                    if (p.writtenAt != 0) {
                        stats.resent.incrementAndGet();
                    }
                    stats.sent.incrementAndGet();
                }
                p.writtenAt = System.nanoTime();
                written = i + 1;
            }
            transport.flush();
            confirm();
            if (!stats.reachable()) {
                LOG.infof("GELF receiver %s reachable again; resumed shipping", transport.describe());
                stats.recovered();
            }
            backoff = settings.initialBackoff();
        } catch (WakeupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            transport.reset();
            written = 0;
            retryAt = System.nanoTime() + backoff.toNanos();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (stats.reachable()) {
                LOG.warnf("cannot deliver to GELF receiver: %s; holding %d records, retrying with backoff up to %d s",
                        reason, unconfirmed.size(), settings.maxBackoff().toSeconds());
            } else {
                LOG.debugf("still cannot deliver: %s; retry in %d ms", reason, backoff.toMillis());
            }
            stats.failed(reason);
            backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
        }
    }

    private void confirm() throws IOException {
        if (written == 0) {
            return;
        }
        long delay = transport.confirmDelay().toNanos();
        long checkedAt = System.nanoTime();
        if (checkedAt - unconfirmed.get(0).writtenAt < delay) {
            return;
        }
        transport.verify();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int confirmed = 0;
        long delivered = 0;
        for (Pending p : unconfirmed) {
            if (confirmed >= written || checkedAt - p.writtenAt < delay) {
                break;
            }
            offsets.put(p.partition, new OffsetAndMetadata(p.offset + 1));
            unconfirmedBytes -= p.bytes;
            if (p.message != null) {
                delivered++;
            }
            confirmed++;
        }
        unconfirmed.subList(0, confirmed).clear();
        written -= confirmed;
        stats.delivered.addAndGet(delivered);
        commit(offsets);
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            LOG.warnf("commit of delivered offsets failed (%s); those records may be shipped again", e.getMessage());
        }
    }

    private void setPaused(boolean pause) {
        if (pause) {
            consumer.pause(consumer.assignment());
        } else if (paused) {
            consumer.resume(consumer.paused());
        }
        if (pause != paused) {
            LOG.debugf(pause ? "consumer paused: %d records in flight" : "consumer resumed: %d records in flight",
                    unconfirmed.size());
        }
        paused = pause;
        stats.paused(pause);
    }

    /** Drops the records of partitions this instance no longer owns; their new owner ships them from the last commit. */
    private void forget(Collection<TopicPartition> partitions) {
        int keptWritten = 0;
        int index = 0;
        for (Iterator<Pending> it = unconfirmed.iterator(); it.hasNext(); index++) {
            Pending p = it.next();
            if (partitions.contains(p.partition)) {
                unconfirmedBytes -= p.bytes;
                it.remove();
            } else if (index < written) {
                keptWritten++;
            }
        }
        written = keptWritten;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
            countOwned(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            countOwned(partitions);
        }

        private void countOwned(Collection<TopicPartition> leaving) {
            java.util.Set<TopicPartition> owned = new java.util.HashSet<>(consumer.assignment());
            owned.removeAll(leaving);
            stats.assignedPartitions.set(owned.size());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.infof("assigned %s", partitions);
            stats.assignedPartitions.set(consumer.assignment().size());
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
