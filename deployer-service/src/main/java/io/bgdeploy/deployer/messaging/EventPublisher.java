package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes the deployer's events as CloudEvents on their topics: deploy-events, pod-events and
 * lb-commands (the local platform's pod output goes through {@link ContainerLogPublisher}). Key =
 * the event's key. The producers run with {@code acks=all} and idempotence (application.properties):
 * a record the broker confirmed is on every in-sync replica, and the producer's retries never write
 * it twice.
 * {@link #publish} waits for that confirmation, {@link #publishPending} lets its caller wait for it
 * later; {@link #publishInBackground} does not.
 */
@ApplicationScoped
public class EventPublisher implements EventSink {

    static final String SOURCE = "/deployer-service";
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final Emitter<String> deployEvents;
    private final Emitter<String> podEvents;
    private final Emitter<String> lbCommands;
    private final DeploymentMetrics metrics;
    private final Duration sendTimeout;

    public EventPublisher(@Channel(Topics.DEPLOY_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> deployEvents,
                          @Channel(Topics.POD_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> podEvents,
                          @Channel(Topics.LB_COMMANDS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> lbCommands, DeploymentMetrics metrics,
                          @ConfigProperty(name = "deployer.event-send-timeout") Duration sendTimeout) {
        this.deployEvents = deployEvents;
        this.podEvents = podEvents;
        this.lbCommands = lbCommands;
        this.metrics = metrics;
        this.sendTimeout = sendTimeout;
    }

    @Override
    public void publish(EventData event) {
        publishPending(event).await();
    }

    /**
     * Hands the event to its producer; its confirmation is awaited until {@code deployer.event-send-timeout}
     * after the hand-over. The event counts (metrics) from the hand-over, so that a phase is timed
     * from when it began, not from when its event was confirmed; a failure is counted once, when the
     * producer gives up, whether anyone awaits it or not.
     */
    @Override
    public Pending publishPending(EventData event) {
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        CompletableFuture<Void> sent = sendCounted(event);
        return () -> awaitConfirmation(event, sent, deadline);
    }

    private void awaitConfirmation(EventData event, CompletableFuture<Void> sent, long deadline) {
        String what = event.getClass().getSimpleName() + " for " + event.key() + " to " + event.eventType().topic();
        try {
            sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new EventSink.NotPublished("Kafka did not take " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new EventSink.NotPublished("Kafka did not confirm " + what + " within " + sendTimeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventSink.NotPublished("interrupted while sending " + what, e);
        }
    }

    @Override
    public void publishInBackground(EventData event) {
        publishWithConfirmation(event);
    }

    /**
     * Publishes without waiting; the returned stage completes when the broker confirmed the event,
     * or fails (then the failure is also counted and logged), for a caller that keeps the event
     * until it is confirmed.
     */
    public CompletableFuture<Void> publishWithConfirmation(EventData event) {
        return sendCounted(event).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf("%s for %s not sent to %s: %s", event.getClass().getSimpleName(), event.key(),
                        event.eventType().topic(), error.getMessage());
            }
        });
    }

    /**
     * Sends the event and counts it (metrics) from the hand-over; a failure is counted once, when the
     * producer gives up. Logging it is the caller's: an awaited failure is thrown to it.
     */
    private CompletableFuture<Void> sendCounted(EventData event) {
        CompletableFuture<Void> confirmed = send(event).whenComplete((ok, error) -> {
            if (error != null) {
                metrics.notSent(event.eventType().topic());
            }
        });
        metrics.record(event);
        return confirmed;
    }

    /** Hands the record to the topic's producer; completes when the broker confirmed it, or failed. */
    private CompletableFuture<Void> send(EventData event) {
        EventEnvelope<EventData> envelope = EventEnvelope.of(SOURCE, event);
        String topic = event.eventType().topic();
        Emitter<String> emitter = switch (topic) {
            case Topics.DEPLOY_EVENTS -> deployEvents;
            case Topics.POD_EVENTS -> podEvents;
            case Topics.LB_COMMANDS -> lbCommands;
            default -> throw new IllegalArgumentException("the deployer does not publish on " + topic);
        };
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        Message<String> message = Message.of(EventCodec.encodeToString(envelope))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(envelope.key()).withHeaders(headers).build())
                .withAck(() -> {
                    confirmed.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    confirmed.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        try {
            emitter.send(message);
        } catch (RuntimeException e) {
            confirmed.completeExceptionally(e);
        }
        return confirmed;
    }
}
