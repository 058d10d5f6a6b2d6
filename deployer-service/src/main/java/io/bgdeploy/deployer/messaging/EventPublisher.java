package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.bluegreen.EventSink;
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

/**
 * Publishes the deployer's events as CloudEvents on their topics: deploy-events, pod-events,
 * lb-commands and container-logs (the local platform's pod output). Key = the event's key.
 */
@ApplicationScoped
public class EventPublisher implements EventSink {

    static final String SOURCE = "/deployer-service";
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final Emitter<String> deployEvents;
    private final Emitter<String> podEvents;
    private final Emitter<String> lbCommands;
    private final Emitter<String> containerLogs;
    private final DeploymentMetrics metrics;

    public EventPublisher(@Channel(Topics.DEPLOY_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> deployEvents,
                          @Channel(Topics.POD_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> podEvents,
                          @Channel(Topics.LB_COMMANDS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          Emitter<String> lbCommands,
                          @Channel(Topics.CONTAINER_LOGS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
                          Emitter<String> containerLogs, DeploymentMetrics metrics) {
        this.deployEvents = deployEvents;
        this.podEvents = podEvents;
        this.lbCommands = lbCommands;
        this.containerLogs = containerLogs;
        this.metrics = metrics;
    }

    @Override
    public void publish(EventData event) {
        EventEnvelope<EventData> envelope = EventEnvelope.of(SOURCE, event);
        String topic = event.eventType().topic();
        Emitter<String> emitter = switch (topic) {
            case Topics.DEPLOY_EVENTS -> deployEvents;
            case Topics.POD_EVENTS -> podEvents;
            case Topics.LB_COMMANDS -> lbCommands;
            case Topics.CONTAINER_LOGS -> containerLogs;
            default -> throw new IllegalArgumentException("the deployer does not publish on " + topic);
        };
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(EventCodec.encodeToString(envelope))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(envelope.key()).withHeaders(headers).build())
                .withAck(() -> CompletableFuture.completedFuture(null))
                .withNack(e -> {
                    LOG.warnf("%s for %s not sent to %s: %s", envelope.type(), envelope.key(), topic, e.getMessage());
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        metrics.record(event);
    }
}
