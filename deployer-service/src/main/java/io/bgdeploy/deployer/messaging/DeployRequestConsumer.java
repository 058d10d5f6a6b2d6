package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.bluegreen.Deployer;
import io.bgdeploy.deployer.bluegreen.EventSink;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What CI publishes on deploy-requests. Every request gets an answer on deploy-events: accepted
 * (with the deploymentId) or rejected (with the reason and every problem); a malformed record is
 * also sent to deploy-requests-dlq with the reason. A request id already seen is answered again
 * without a second deployment. A request whose answer Kafka did not take goes to the DLQ with that
 * reason (an accepted one runs all the same).
 */
@ApplicationScoped
public class DeployRequestConsumer {

    private static final Logger LOG = Logger.getLogger(DeployRequestConsumer.class);

    private final Deployer deployer;
    private final EventPublisher publisher;

    public DeployRequestConsumer(Deployer deployer, EventPublisher publisher) {
        this.deployer = deployer;
        this.publisher = publisher;
    }

    @Incoming(Topics.DEPLOY_REQUESTS)
    @Blocking
    public CompletionStage<Void> consume(Message<String> message) {
        String key = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getKey() == null ? null : m.getKey().toString()).orElse(null);
        String answerKey = key == null || key.isBlank() ? "unknown" : Names.printable(key);
        EventEnvelope<DeployRequested> event;
        try {
            event = EventCodec.decode(message.getPayload(), DeployRequested.class);
        } catch (MalformedEventException e) {
            LOG.warnf("malformed deploy request (key %s) sent to %s: %s", answerKey, Topics.DEPLOY_REQUESTS_DLQ, e.getMessage());
            try {
                publisher.publish(new DeploymentRejected(null, answerKey, "malformed deploy request: " + e.getMessage(),
                        List.of(e.getMessage())));
            } catch (EventSink.NotPublished notSent) {
                LOG.warnf("the rejection of a malformed deploy request (key %s) was not sent: %s", answerKey, notSent.getMessage());
            }
            return message.nack(e);
        }
        DeployRequested request = event.data();
        String requestedBy = request.requestedBy() == null ? "kafka" : request.requestedBy();
        try {
            Deployer.Answer answer = deployer.submit(request.descriptor(), requestedBy, request.requestId(), null);
            if (answer instanceof Deployer.Rejected rejected) {
                LOG.infof("deploy request %s for %s rejected: %s %s", request.requestId(), answerKey, rejected.reason(),
                        rejected.problems());
                deployer.publishRejection(request.requestId(), key == null ? request.key() : answerKey, rejected);
            } else if (answer instanceof Deployer.Accepted accepted && accepted.repeated()) {
                var d = accepted.deployment();
                LOG.infof("deploy request %s seen before: deployment %s", request.requestId(), d.id());
                publisher.publish(new io.bgdeploy.events.deploy.DeploymentAccepted(d.id(), request.requestId(),
                        d.requestedBy(), d.namespace(), d.appName(), d.version()));
            }
        } catch (EventSink.NotPublished e) {
            LOG.warnf("deploy request %s for %s: its answer was not sent (%s); the request goes to %s", request.requestId(),
                    answerKey, e.getMessage(), Topics.DEPLOY_REQUESTS_DLQ);
            return message.nack(e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "deploy request %s for %s could not be handled", request.requestId(), answerKey);
            try {
                publisher.publish(new DeploymentRejected(request.requestId(), answerKey,
                        "the deployer could not handle the request: " + e.getMessage(), List.of()));
            } catch (EventSink.NotPublished notSent) {
                return message.nack(notSent);
            }
        }
        return message.ack();
    }
}
