package io.bgdeploy.healthmon.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Publishes health transitions and restart alerts to {@value Topics#POD_HEALTH}, keyed {@code <namespace>/<appName>}. */
@ApplicationScoped
public class HealthEventPublisher {

    static final String SOURCE = "/health-service";
    private static final Logger LOG = Logger.getLogger(HealthEventPublisher.class);

    private final Emitter<String> emitter;

    public HealthEventPublisher(@Channel(Topics.POD_HEALTH)
                                @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
                                Emitter<String> emitter) {
        this.emitter = emitter;
    }

    public void publish(EventData data) {
        EventEnvelope<?> event = EventEnvelope.of(SOURCE, data);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(EventCodec.encodeToString(event))
                .withNack(e -> {
                    LOG.errorf("could not publish %s for %s to %s: %s", event.type(), event.key(), Topics.POD_HEALTH,
                            e.getMessage());
                    return CompletableFuture.completedFuture(null);
                })
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(event.key())
                        .withHeaders(headers)
                        .build());
        emitter.send(message);
    }
}
