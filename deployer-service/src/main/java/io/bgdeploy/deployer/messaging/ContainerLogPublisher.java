package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends the local platform's pod output to container-logs: one CloudEvent per line, keyed by the
 * pod, as {@link EventPublisher} sends the deployer's other events, but through a Kafka producer of
 * its own instead of a SmallRye channel. A channel costs every record a reactive pipeline on the
 * way in and another one for its acknowledgement (context propagation included); for the other
 * topics that is a few records per deployment, for pod output it is every line the pods write:
 * without them the deployer takes about 60 % less CPU per line under load (lb-config-service README,
 * "Pod output without a reactive pipeline per line").
 *
 * <p>Delivery: {@code acks=all} and idempotence, and a line's stage completes only once
 * the broker confirmed it, so that the local platform moves its file position only then (at least
 * once). Lines are encoded and handed to the producer on a thread of their own, in the order given:
 * while the broker is unreachable and the producer has no metadata, {@code send} blocks up to
 * {@code max.block.ms}, and that must not stop the local platform from reading and stopping pods.
 * The local platform waits for the verdict on a round of at most
 * {@code LocalPlatform.MAX_LOG_LINES_IN_FLIGHT} lines (2,048, about 1 MiB of text) before it hands
 * over more, so the queue of this thread and the producer's buffer hold at most one round.
 */
public final class ContainerLogPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ContainerLogPublisher.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final byte[] CONTENT_TYPE = EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private final Map<String, Object> configuration;
    private final KafkaProducer<String, byte[]> producer;
    private final ExecutorService sender;
    private final DeploymentMetrics metrics;
    private final AtomicBoolean failing = new AtomicBoolean();

    /** @param kafka the application's {@code kafka.*} settings without the prefix ({@code bootstrap.servers}, ...) */
    public ContainerLogPublisher(Map<String, ?> kafka, DeploymentMetrics metrics) {
        this.configuration = Map.copyOf(producerSettings(kafka));
        this.producer = new KafkaProducer<>(configuration);
        this.metrics = metrics;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "container-logs-sender");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The producer's settings: the application's {@code kafka.*} settings (bootstrap servers, TLS,
     * SASL; the same the SmallRye channels get) that a producer accepts, and on top of them what
     * delivery and the local platform's round need, which cannot be configured away.
     */
    static Map<String, Object> producerSettings(Map<String, ?> kafka) {
        Map<String, Object> p = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "deployer-container-logs");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        // A round (2,048 records of some 600 bytes of envelope plus 1 MiB of text, about 2.3 MiB
        // before compression) fits with room for a second one; Kafka's default is 32 MiB.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(8 * 1024 * 1024));
        // Pod output is throughput, not latency: a round leaves in few requests of up to 128 KiB per
        // partition (Kafka's default 16 KiB), filled for up to 20 ms (Kafka 4's 5), compressed with
        // lz4 (JSON envelopes of access-log lines compress well): fewer, smaller batches for the
        // broker and log-shipper (lb-config-service README, "Pod output in fewer, compressed batches").
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** The settings the producer was built with. */
    public Map<String, Object> configuration() {
        return configuration;
    }

    /**
     * Sends the line; the stage completes when the broker confirmed it, or fails when the producer
     * gave up on it (also counted as not sent) or this publisher is closed.
     */
    public CompletableFuture<Void> publish(ContainerLogRecord record) {
        Send send = new Send(record);
        try {
            sender.execute(send);
        } catch (RejectedExecutionException stopped) {
            send.confirmed.completeExceptionally(new IllegalStateException("the container-logs producer is closed"));
        }
        return send.confirmed;
    }

    /** A line on its way to the producer, with the stage its caller waits on. */
    private final class Send implements Runnable {

        final ContainerLogRecord record;
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();

        Send(ContainerLogRecord record) {
            this.record = record;
        }

        @Override
        public void run() {
            try {
                EventEnvelope<ContainerLogRecord> envelope = EventEnvelope.of(EventPublisher.SOURCE, record);
                RecordHeaders headers = new RecordHeaders();
                headers.add("content-type", CONTENT_TYPE);
                producer.send(new ProducerRecord<>(Topics.CONTAINER_LOGS, null, envelope.key(), EventCodec.encode(envelope),
                        headers), (metadata, error) -> {
                    if (error == null) {
                        confirmed.complete(null);
                        if (failing.compareAndSet(true, false)) {
                            LOG.info("pod output is confirmed by Kafka again");
                        }
                    } else {
                        refused(confirmed, error);
                    }
                });
            } catch (RuntimeException e) {
                refused(confirmed, e); // closed, or a record the producer cannot take
            }
        }
    }

    private void refused(CompletableFuture<Void> confirmed, Throwable error) {
        metrics.notSent(Topics.CONTAINER_LOGS);
        if (failing.compareAndSet(false, true)) {
            LOG.warnf("pod output not sent to %s (kept in the pods' log files and sent again): %s",
                    Topics.CONTAINER_LOGS, error.getMessage());
        }
        confirmed.completeExceptionally(error);
    }

    /**
     * Stops taking lines, sends what was handed over and waits a few seconds for it to be sent and
     * answered; lines not confirmed by then fail and stay in the pods' log files.
     */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                for (Runnable left : sender.shutdownNow()) {
                    ((Send) left).confirmed.completeExceptionally(new IllegalStateException("the container-logs producer is closed"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(CLOSE_WAIT);
    }
}
