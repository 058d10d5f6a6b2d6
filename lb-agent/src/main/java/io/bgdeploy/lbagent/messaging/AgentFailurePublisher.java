package io.bgdeploy.lbagent.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.lbagent.config.AgentConfig;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Tells the deployers on lb-events that this agent cannot bring its HAProxy to a revision. The same
 * failure is written to the agent's progress in etcd, which is what lb-config-service waits on; the
 * event makes it visible without reading etcd. Sending never blocks the agent.
 */
@ApplicationScoped
public class AgentFailurePublisher {

    private static final Logger LOG = Logger.getLogger(AgentFailurePublisher.class);

    private final Emitter<String> emitter;
    private final AgentConfig config;

    public AgentFailurePublisher(@Channel(Topics.LB_EVENTS) Emitter<String> emitter, AgentConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    public void publish(String agentId, long revision, String reason) {
        EventEnvelope<LbAgentFailed> envelope = EventEnvelope.of(config.source(), new LbAgentFailed(agentId, revision, reason));
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        emitter.send(Message.of(EventCodec.encodeToString(envelope))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(envelope.key()).withHeaders(headers).build())
                .withAck(() -> CompletableFuture.completedFuture(null))
                .withNack(e -> {
                    LOG.warnf("agent %s: failure at revision %d not published on %s: %s", agentId, revision,
                            Topics.LB_EVENTS, e.getMessage());
                    return CompletableFuture.completedFuture(null);
                }));
    }
}
