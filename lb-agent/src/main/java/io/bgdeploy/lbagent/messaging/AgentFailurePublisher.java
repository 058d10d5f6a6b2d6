package io.bgdeploy.lbagent.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells the deployers on lb-events that this agent cannot bring its HAProxy to a revision. The same
 * failure is written to the agent's progress in etcd first: that is what lb-config-service waits on,
 * so the command fails whatever Kafka does. The event is sent (acks=all, idempotent producer) and,
 * while Kafka does not take it, sent again with backoff until it does or a newer failure replaces
 * it; {@code lbagent_failure_events_unsent} shows one is waiting. Sending never blocks the agent.
 */
@ApplicationScoped
public class AgentFailurePublisher {

    private static final Logger LOG = Logger.getLogger(AgentFailurePublisher.class);
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long MAX_RETRY_MILLIS = 30_000;

    private final Emitter<String> emitter;
    /** CloudEvents source of the events (lbagent.source, as config.AgentConfig documents it). */
    private final String source;
    private final AtomicReference<LbAgentFailed> unsent = new AtomicReference<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lb-agent-failure-events");
        t.setDaemon(true);
        return t;
    });

    public AgentFailurePublisher(@Channel(Topics.LB_EVENTS) Emitter<String> emitter,
                                 @ConfigProperty(name = "lbagent.source", defaultValue = "/lb-agent") String source,
                                 MeterRegistry registry) {
        this.emitter = emitter;
        this.source = source;
        Gauge.builder("lbagent.failure.events.unsent", unsent, u -> u.get() == null ? 0 : 1)
                .description("1 while a failure of this agent waits for Kafka to take its lb-events record").register(registry);
    }

    public void publish(String agentId, long revision, String reason) {
        LbAgentFailed failure = new LbAgentFailed(agentId, revision, reason);
        unsent.set(failure);
        retries.execute(() -> send(failure, FIRST_RETRY_MILLIS));
    }

    private void send(LbAgentFailed failure, long nextRetryMillis) {
        if (unsent.get() != failure) {
            return;
        }
        EventEnvelope<LbAgentFailed> envelope = EventEnvelope.of(source, failure);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        try {
            emit(failure, nextRetryMillis, envelope, headers);
        } catch (RuntimeException e) {
            retryLater(failure, nextRetryMillis, e);
        }
    }

    private void emit(LbAgentFailed failure, long nextRetryMillis, EventEnvelope<LbAgentFailed> envelope, RecordHeaders headers) {
        emitter.send(Message.of(EventCodec.encodeToString(envelope))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(envelope.key()).withHeaders(headers).build())
                .withAck(() -> {
                    if (unsent.compareAndSet(failure, null)) {
                        LOG.infof("agent %s: failure at revision %d published on %s", failure.agentId(), failure.revision(),
                                Topics.LB_EVENTS);
                    }
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    retryLater(failure, nextRetryMillis, e);
                    return CompletableFuture.completedFuture(null);
                }));
    }

    private void retryLater(LbAgentFailed failure, long retryMillis, Throwable cause) {
        if (unsent.get() == failure && !retries.isShutdown()) {
            LOG.warnf("agent %s: failure at revision %d not taken by Kafka (%s); sending it again in %d ms",
                    failure.agentId(), failure.revision(), cause.getMessage(), retryMillis);
            retries.schedule(() -> send(failure, Math.min(MAX_RETRY_MILLIS, retryMillis * 2)), retryMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
    }
}
