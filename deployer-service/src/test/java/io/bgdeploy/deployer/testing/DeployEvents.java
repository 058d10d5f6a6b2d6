package io.bgdeploy.deployer.testing;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.infra.testing.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;

/** Reading deploy-events in tests: a record's event, and the deployment a request was accepted as. */
public final class DeployEvents {

    private DeployEvents() {
    }

    /** The event a record carries, or null for a record that is not one. */
    public static Object data(ConsumerRecord<String, String> r) {
        try {
            return EventCodec.decode(r.value()).data();
        } catch (RuntimeException | MalformedEventException e) {
            return null;
        }
    }

    /** Waits for the answer to the request and returns the id of the deployment it was accepted as. */
    public static String acceptedAs(KafkaTestClient.TopicReader events, String requestId, Duration timeout) {
        ConsumerRecord<String, String> accepted = events.await(r -> data(r) instanceof DeploymentAccepted a
                && requestId.equals(a.requestId()), timeout);
        return ((DeploymentAccepted) data(accepted)).deploymentId();
    }
}
