package io.bgdeploy.health.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.health.model.HealthEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Publishes health transitions and alerts to {@value Topics#POD_HEALTH}, keyed {@code <namespace>/<appName>},
 * with {@code acks=all} and an idempotent producer (see application.properties). A record the
 * producer could not deliver within its delivery timeout is sent again, in publishing order, until
 * Kafka takes it ({@link OrderedRedelivery}); {@code health_events_waiting} counts the records held.
 */
@ApplicationScoped
public class HealthEventPublisher implements HealthEvents {

    static final String SOURCE = "/health-service";
    private static final Logger LOG = Logger.getLogger(HealthEventPublisher.class);

    /** One encoded event: what the record carries and what a log line names. */
    record Outgoing(String key, String type, String value) {
    }

    private final Emitter<String> emitter;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pod-health-redelivery");
        t.setDaemon(true);
        return t;
    });
    private final OrderedRedelivery<Outgoing> redelivery;

    public HealthEventPublisher(@Channel(Topics.POD_HEALTH)
                                @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
                                Emitter<String> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        Counter failures = Counter.builder("health.event.send.failures")
                .description("Sends to pod-health that Kafka did not take (each is tried again)").register(registry);
        this.redelivery = new OrderedRedelivery<>(this::send, retries, Duration.ofSeconds(1), Duration.ofSeconds(30),
                new OrderedRedelivery.Listener<>() {
                    @Override
                    public void failed(Outgoing event, Throwable error, int attempt, Duration nextTry) {
                        failures.increment();
                        if (attempt == 1) {
                            LOG.warnf("could not publish %s for %s to %s: %s; holding it and later events, next try in %d ms",
                                    event.type(), event.key(), Topics.POD_HEALTH, error.getMessage(), nextTry.toMillis());
                        }
                    }

                    @Override
                    public void recovered(int delivered) {
                        LOG.infof("%s takes records again: %d held event(s) delivered in order", Topics.POD_HEALTH,
                                delivered);
                    }
                });
        Gauge.builder("health.events.waiting", redelivery, OrderedRedelivery::waiting)
                .description("Events held for pod-health after a failed send, waiting to be sent again").register(registry);
    }

    @Override
    public void publish(EventData data) {
        EventEnvelope<?> event = EventEnvelope.of(SOURCE, data);
        redelivery.submit(new Outgoing(event.key(), event.type(), EventCodec.encodeToString(event)));
    }

    private CompletionStage<Void> send(Outgoing event) {
        CompletableFuture<Void> taken = new CompletableFuture<>();
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(event.value())
                .withAck(() -> {
                    taken.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    taken.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                })
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(event.key())
                        .withHeaders(headers)
                        .build());
        emitter.send(message);
        return taken;
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
    }
}
