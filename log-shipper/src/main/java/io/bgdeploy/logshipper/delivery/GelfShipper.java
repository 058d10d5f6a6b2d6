package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.model.InFlightRecords;
import io.bgdeploy.logshipper.source.ContainerLogDecoder;
import io.bgdeploy.logshipper.source.DeadLetters;
import org.apache.kafka.clients.consumer.CloseOptions;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The shipping loop: polls {@code container-logs}, maps each record to GELF, hands it to the
 * transport and commits a record's offset only once the transport settled it (at least once).
 * The bookkeeping is {@link InFlightRecords}; this class is its Kafka side.
 * <ul>
 *   <li>Records not settled yet are kept, in order, up to a bound of records and bytes; when the
 *   bound is reached, or Graylog is unreachable, the consumer is paused (it keeps polling so that it
 *   stays in its group) and memory stays bounded.</li>
 *   <li>A failed send or settle resets the transport and, after an exponential backoff, sends
 *   every unsettled record again: nothing is lost, Graylog may see a record twice.</li>
 *   <li>A record that is not a valid ContainerLogRecord, or that Graylog refuses for good, goes to
 *   the dead-letter topic with the reason; the partition goes on with the next record.</li>
 *   <li>Decoding, mapping and encoding run on a pool of one thread per core, a few polled batches
 *   ahead of the loop, which meanwhile polls, sends and commits; batches are taken back in the
 *   order polled, so the bookkeeping sees records in Kafka's order.</li>
 * </ul>
 * Runs on one thread; {@link #close()} from any thread stops it.
 */
public final class GelfShipper implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GelfShipper.class);
    /** Polled batches being decoded and mapped at once, ahead of the loop. */
    private static final int BATCHES_AHEAD = 3;
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);
    private static final long MIN_POLL_NANOS = Duration.ofMillis(1).toNanos();
    private static final long RECORD_OVERHEAD_BYTES = 256;
    private static final long ENTRY_OVERHEAD_BYTES = 64;

    /**
     * @param maxInFlightRecords records polled but not yet settled before the consumer pauses
     * @param maxInFlightBytes   their estimated memory before the consumer pauses
     */
    public record Settings(String topic, int maxInFlightRecords, long maxInFlightBytes, Duration pollTimeout,
                           Duration initialBackoff, Duration maxBackoff) {
        public static Settings defaults(String topic) {
            return new Settings(topic, 40_000, 64L * 1024 * 1024, Duration.ofMillis(500),
                    Duration.ofMillis(200), Duration.ofSeconds(10));
        }
    }

    private final Consumer<String, byte[]> consumer;
    private final DeadLetters deadLetters;
    private final GelfMapper mapper;
    private final GelfTransport transport;
    private final Settings settings;
    private final ShipperStats stats;
    /**
     * Per record: the record as read, if the transport may refuse it (a refused one goes to the
     * dead-letter topic byte for byte), and its encoded message.
     */
    private final InFlightRecords<ConsumerRecord<String, byte[]>, byte[]> inFlight = new InFlightRecords<>();

    /** Polled batches being decoded, mapped and encoded on {@link #mappers}, in the order polled. */
    private final ArrayDeque<Batch> mapping = new ArrayDeque<>();
    private final ExecutorService mappers;
    private int mappingRecords;
    /** The offsets committed last, per partition; committed again synchronously when partitions go. */
    private final Map<TopicPartition, OffsetAndMetadata> settledOffsets = new HashMap<>();
    private long retryAt;
    private Duration backoff;
    private boolean paused;
    private volatile boolean running = true;

    public GelfShipper(Consumer<String, byte[]> consumer, DeadLetters deadLetters, GelfMapper mapper,
                       GelfTransport transport, Settings settings, ShipperStats stats) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.mapper = mapper;
        this.transport = transport;
        this.settings = settings;
        this.stats = stats;
        this.backoff = settings.initialBackoff();
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.mappers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), task -> {
            Thread t = new Thread(task, "gelf-mapper-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(settings.topic()), new Rebalance());
        LOG.infof("shipping %s to %s (%s, up to %d records in flight)", settings.topic(), transport.describe(),
                describe(transport.proof()), settings.maxInFlightRecords());
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
            mappers.shutdownNow();
            drain();
            transport.close();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private static String describe(GelfTransport.Proof proof) {
        return switch (proof) {
            case ACKNOWLEDGED -> "at least once: a record counts when Graylog acknowledged it";
            case WRITTEN_AND_CONNECTION_KEPT -> "a record counts when written and the connection held; a vanished peer loses lines";
            case SENT -> "best effort: a record counts when its datagram was sent";
        };
    }

    /** On a clean stop, settles what was sent and commits it, so that a restart ships as few duplicates as possible. */
    private void drain() {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        try {
            while (!inFlight.isEmpty() && stats.reachable() && System.nanoTime() < deadline) {
                deliver();
                LockSupport.parkNanos(Math.max(MIN_POLL_NANOS, transport.settleWait().toNanos()));
            }
            List<TopicPartition> owned = List.copyOf(settledOffsets.keySet());
            try {
                commitSettled(owned);
            } catch (WakeupException e) {
                commitSettled(owned);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            LOG.debugf("final commit skipped: %s", e.getMessage());
        }
    }

    private void cycle() throws InterruptedException {
        long now = System.nanoTime();
        boolean backingOff = now < retryAt;
        boolean full = inFlight.size() + mappingRecords >= settings.maxInFlightRecords()
                || inFlight.bytes() >= settings.maxInFlightBytes();
        setPaused(backingOff || full);
        ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout(now, backingOff));
        if (!records.isEmpty()) {
            List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
            records.forEach(polled::add);
            mapping.addLast(new Batch(polled, CompletableFuture.supplyAsync(() -> map(polled), mappers)));
            mappingRecords += polled.size();
        }
        takeMapped();
        if (System.nanoTime() >= retryAt) {
            deliver();
        }
        stats.inFlight.set(inFlight.size() + mappingRecords);
        stats.inFlightBytes.set(inFlight.bytes());
    }

    /**
     * Moves the batches whose mapping is done, oldest first, into the bookkeeping; waits for the
     * oldest while {@value #BATCHES_AHEAD} are being mapped, so that the loop does not read further ahead.
     */
    private void takeMapped() throws InterruptedException {
        while (!mapping.isEmpty() && (mapping.peekFirst().mapped().isDone() || mapping.size() >= BATCHES_AHEAD)) {
            Batch batch = mapping.removeFirst();
            mappingRecords -= batch.records().size();
            List<Mapped> mapped;
            try {
                mapped = batch.mapped().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("mapping a batch of records failed", e.getCause());
            }
            for (int i = 0; i < mapped.size(); i++) {
                ConsumerRecord<String, byte[]> record = batch.records().get(i);
                if (batch.revoked().isEmpty()
                        || !batch.revoked().contains(new TopicPartition(record.topic(), record.partition()))) {
                    enqueue(record, mapped.get(i));
                }
            }
        }
    }

    /**
     * Records polled together and their mapping; {@code revoked} collects the partitions this
     * instance lost while the batch was being mapped, whose records are then dropped.
     */
    private record Batch(List<ConsumerRecord<String, byte[]>> records, CompletableFuture<List<Mapped>> mapped,
                         Set<TopicPartition> revoked) {
        Batch(List<ConsumerRecord<String, byte[]>> records, CompletableFuture<List<Mapped>> mapped) {
            this(records, mapped, new HashSet<>());
        }
    }

    private List<Mapped> map(List<ConsumerRecord<String, byte[]>> records) {
        List<Mapped> mapped = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            mapped.add(map(record));
        }
        return mapped;
    }

    private Duration pollTimeout(long now, boolean backingOff) {
        long max = settings.pollTimeout().toNanos();
        if (backingOff) {
            return Duration.ofNanos(Math.min(retryAt - now, max));
        }
        if (!mapping.isEmpty()) {
            return Duration.ofNanos(MIN_POLL_NANOS);
        }
        if (!inFlight.isEmpty()) {
            return Duration.ofNanos(Math.min(Math.max(MIN_POLL_NANOS, transport.settleWait().toNanos()), max));
        }
        return settings.pollTimeout();
    }

    /**
     * A record decoded, mapped and encoded for the transport, or why it could not be. Only the
     * encoded bytes are kept: the decoded record and the GELF message are garbage once encoded.
     */
    private record Mapped(byte[] encoded, boolean truncated, String failure) {
    }

    /** Pure and thread-safe: decoding, mapping and encoding of a large batch run in parallel. */
    private Mapped map(ConsumerRecord<String, byte[]> record) {
        try {
            GelfMessage message = mapper.map(ContainerLogDecoder.decode(record.value()));
            return new Mapped(transport.encode(message), message.fields().contains(GelfTruncation.TRUNCATED_FIELD), null);
        } catch (MalformedEventException | IllegalArgumentException e) {
            return new Mapped(null, false, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void enqueue(ConsumerRecord<String, byte[]> record, Mapped mapped) throws InterruptedException {
        InFlightRecords.Partition partition = new InFlightRecords.Partition(record.topic(), record.partition());
        byte[] encoded = mapped.encoded();
        if (encoded == null) {
            deadLetter(record, "not a container log record: " + mapped.failure());
            stats.malformed.incrementAndGet();
            inFlight.add(partition, record.offset(), record, null, 0);
            return;
        }
        if (mapped.truncated()) {
            stats.truncated.incrementAndGet();
        }
        ConsumerRecord<String, byte[]> kept = transport.refuses() ? record : null;
        inFlight.add(partition, record.offset(), kept, encoded, heldBytes(kept, encoded));
    }

    /**
     * An estimate of the heap a record in flight holds: its encoded message, the record as read if
     * it is kept for the dead-letter topic (its value and key, the consumer record and its
     * headers), and the bookkeeping entry.
     */
    private static long heldBytes(ConsumerRecord<String, byte[]> kept, byte[] encoded) {
        if (kept == null) {
            return encoded.length + ENTRY_OVERHEAD_BYTES;
        }
        long value = kept.value() == null ? 0 : kept.value().length;
        long key = kept.key() == null ? 0 : kept.key().length();
        return encoded.length + value + key + RECORD_OVERHEAD_BYTES;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) throws InterruptedException {
        Duration wait = settings.initialBackoff();
        while (running) {
            try {
                deadLetters.send(record, reason);
                stats.deadLettered.incrementAndGet();
                LOG.warnf("record %s-%d@%d sent to %s: %s", record.topic(), record.partition(), record.offset(),
                        deadLetters.topic(), DeadLetters.header(reason));
                return;
            } catch (DeadLetters.DeadLetterException e) {
                LOG.warnf("%s; retrying in %d ms", e.getMessage(), wait.toMillis());
                Thread.sleep(wait.toMillis());
                wait = min(wait.multipliedBy(2), settings.maxBackoff());
            }
        }
        throw new InterruptedException("stopped before " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " reached " + deadLetters.topic());
    }

    /** Sends what is due, then applies what the transport settled: dead letters first, then commits. */
    private void deliver() throws InterruptedException {
        try {
            inFlight.sendUnsent((encoded, again) -> {
                transport.send(encoded);
                stats.sent.incrementAndGet();
                if (again) {
                    stats.resent.incrementAndGet();
                }
            });
            transport.flush();
            GelfTransport.Receipt receipt = transport.settle();
            InFlightRecords.Settlement<ConsumerRecord<String, byte[]>> settlement = inFlight.settle(receipt);
            for (InFlightRecords.Refused<ConsumerRecord<String, byte[]>> refused : settlement.refused()) {
                deadLetter(refused.record(), "refused by Graylog: " + refused.reason());
                stats.refused.incrementAndGet();
            }
            stats.delivered.addAndGet(settlement.delivered());
            commit(settlement.commits());
            if (receipt.settled() > 0) {
                if (!stats.reachable()) {
                    LOG.infof("GELF receiver %s takes messages again; resumed shipping", transport.describe());
                    stats.recovered();
                }
                backoff = settings.initialBackoff();
            }
        } catch (WakeupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            transport.reset();
            inFlight.sendAllAgain();
            retryAt = System.nanoTime() + backoff.toNanos();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (stats.reachable()) {
                LOG.warnf("cannot deliver to GELF receiver: %s; holding %d records, retrying with backoff up to %d s",
                        reason, inFlight.size(), settings.maxBackoff().toSeconds());
            } else {
                LOG.debugf("still cannot deliver: %s; retry in %d ms", reason, backoff.toMillis());
            }
            stats.failed(reason);
            backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
        }
    }

    /**
     * Commits without waiting for the broker, so that the loop reads on meanwhile: an offset is
     * committed only once its record is settled, whenever the commit completes, and a commit that
     * fails is covered by the next one (or, at worst, a record is shipped again after a restart).
     */
    private void commit(Map<InFlightRecords.Partition, Long> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((p, next) -> commits.put(new TopicPartition(p.topic(), p.partition()), new OffsetAndMetadata(next)));
        settledOffsets.putAll(commits);
        consumer.commitAsync(commits, (committed, e) -> {
            if (e != null) {
                LOG.debugf("commit of delivered offsets failed (%s); the next commit covers them", e.getMessage());
            }
        });
    }

    /** Waits until the settled offsets of these partitions are committed: before they go to another instance, or on stop. */
    private void commitSettled(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        partitions.forEach(p -> {
            OffsetAndMetadata offset = settledOffsets.get(p);
            if (offset != null) {
                commits.put(p, offset);
            }
        });
        if (commits.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commits);
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
                    inFlight.size());
        }
        paused = pause;
        stats.paused(pause);
    }

    /** Keeps the bookkeeping in step with the partitions this instance owns. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitSettled(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(settledOffsets::remove);
            mapping.forEach(batch -> batch.revoked().addAll(partitions));
            Set<InFlightRecords.Partition> lost = new HashSet<>();
            partitions.forEach(p -> lost.add(new InFlightRecords.Partition(p.topic(), p.partition())));
            inFlight.forget(lost::contains);
            stats.assignedPartitions.set(Math.max(0, consumer.assignment().size() - partitions.size()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
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
