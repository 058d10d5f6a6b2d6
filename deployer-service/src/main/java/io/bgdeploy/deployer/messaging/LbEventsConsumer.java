package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Answers of lb-config-service to the deployer's load-balancer commands. Every instance reads the
 * live tail of lb-events ({@link LiveTails}): it waits only for answers to commands it sent.
 */
@ApplicationScoped
public class LbEventsConsumer {

    private static final Logger LOG = Logger.getLogger(LbEventsConsumer.class);

    private final KafkaLoadBalancer loadBalancer;

    public LbEventsConsumer(KafkaLoadBalancer loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    public void consume(String record) throws MalformedEventException {
        EventEnvelope<?> event = EventCodec.decode(record);
        if (event.data() instanceof LbCommandApplied applied) {
            loadBalancer.onApplied(applied);
        } else if (event.data() instanceof LbCommandRejected rejected) {
            loadBalancer.onRejected(rejected);
        } else if (event.data() instanceof LbAgentFailed failed) {
            LOG.warnf("load-balancer agent %s failed at revision %d: %s", failed.agentId(), failed.revision(), failed.reason());
        }
    }
}
