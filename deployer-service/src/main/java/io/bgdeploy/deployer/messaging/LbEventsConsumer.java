package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/** Answers of lb-config-service to the deployer's load-balancer commands. */
@ApplicationScoped
public class LbEventsConsumer {

    private static final Logger LOG = Logger.getLogger(LbEventsConsumer.class);

    private final KafkaLoadBalancer loadBalancer;

    public LbEventsConsumer(KafkaLoadBalancer loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    @Incoming(Topics.LB_EVENTS)
    public CompletionStage<Void> consume(Message<String> message) {
        EventEnvelope<?> event;
        try {
            event = EventCodec.decode(message.getPayload());
        } catch (MalformedEventException e) {
            return message.nack(e);
        }
        if (event.data() instanceof LbCommandApplied applied) {
            loadBalancer.onApplied(applied);
        } else if (event.data() instanceof LbCommandRejected rejected) {
            loadBalancer.onRejected(rejected);
        } else if (event.data() instanceof LbAgentFailed failed) {
            LOG.warnf("load-balancer agent %s failed at revision %d: %s", failed.agentId(), failed.revision(), failed.reason());
        }
        return message.ack();
    }
}
