package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.lbconfig.config.LbConfig;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes on lb-events and returns once Kafka has acknowledged the record (acks=all, idempotent
 * producer); throws {@link IllegalStateException} when it did not within the time given.
 */
@ApplicationScoped
public class LbEventPublisher {

    private final Emitter<String> emitter;
    private final LbConfig config;

    public LbEventPublisher(@Channel(Topics.LB_EVENTS) Emitter<String> emitter, LbConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    public void publish(EventData data, Duration timeout) {
        EventEnvelope<?> envelope = EventEnvelope.of(config.source(), data);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(envelope.key()).withHeaders(headers).build();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(Message.of(EventCodec.encodeToString(envelope))
                .addMetadata(metadata)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        try {
            acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + envelope.type(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish " + envelope.type() + " on " + Topics.LB_EVENTS + ": "
                    + e.getMessage(), e);
        }
    }
}
