package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.RequestAuthenticator;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.signing.RequestSignature;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * What CI publishes on deploy-requests, answered by {@link RequestIntake} as a REST request is.
 * Every request gets an answer on deploy-events: accepted
 * (with the deploymentId) or rejected (with the reason and every problem); a malformed record is
 * also sent to deploy-requests-dlq with the reason. A request id already seen is answered again
 * without a second deployment. A request must be signed with a key of its namespace
 * ({@link RequestAuthenticator}); one that is not is rejected and sent to the DLQ with the reason.
 * A request whose answer Kafka did not take goes to the DLQ with that reason (an accepted one runs
 * all the same).
 */
@ApplicationScoped
public class DeployRequestConsumer {

    private static final Logger LOG = Logger.getLogger(DeployRequestConsumer.class);

    private final RequestIntake intake;
    private final EventPublisher publisher;
    private final RequestAuthenticator authenticator;

    public DeployRequestConsumer(RequestIntake intake, EventPublisher publisher, RequestAuthenticator authenticator) {
        this.intake = intake;
        this.publisher = publisher;
        this.authenticator = authenticator;
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
        String requestedBy;
        try {
            requestedBy = authenticator.requester(signatures(message), message.getPayload().getBytes(StandardCharsets.UTF_8), request);
        } catch (RequestAuthenticator.NotAuthenticated e) {
            LOG.warnf("deploy request %s for %s rejected and sent to %s: %s", request.requestId(), answerKey,
                    Topics.DEPLOY_REQUESTS_DLQ, e.getMessage());
            try {
                publisher.publish(new DeploymentRejected(request.requestId(), answerKey, e.getMessage(), List.of()));
            } catch (EventSink.NotPublished notSent) {
                LOG.warnf("the rejection of deploy request %s (key %s) was not sent: %s", request.requestId(), answerKey,
                        notSent.getMessage());
            }
            return message.nack(e);
        }
        Answer answer;
        try {
            answer = intake.submit(request.descriptor(), requestedBy, request.requestId(), null,
                    key == null ? request.key() : answerKey);
        } catch (RuntimeException e) {
            LOG.errorf(e, "deploy request %s for %s could not be handled", request.requestId(), answerKey);
            try {
                publisher.publish(new DeploymentRejected(request.requestId(), answerKey,
                        "the deployer could not handle the request: " + e.getMessage(), List.of()));
            } catch (EventSink.NotPublished notSent) {
                return message.nack(notSent);
            }
            return message.ack();
        }
        if (answer.unanswered().isPresent()) {
            LOG.warnf("deploy request %s for %s: its answer was not sent (%s); the request goes to %s", request.requestId(),
                    answerKey, answer.unanswered().get(), Topics.DEPLOY_REQUESTS_DLQ);
            return message.nack(new EventSink.NotPublished(answer.unanswered().get(), null));
        }
        return message.ack();
    }

    private static List<String> signatures(Message<String> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> StreamSupport.stream(m.getHeaders().headers(RequestSignature.HEADER).spliterator(), false)
                        .map(h -> h.value() == null ? "" : new String(h.value(), StandardCharsets.US_ASCII)).toList())
                .orElse(List.of());
    }
}
