package io.bgdeploy.infra.testing;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Deploy requests published as CI publishes them: a CloudEvent on deploy-requests keyed
 * {@code <namespace>/<appName>}, signed with a key of the descriptor's namespace.
 */
public final class DeployRequests {

    private DeployRequests() {
    }

    /** Publishes the request signed with {@code key} and waits until the broker has it; returns the record value. */
    public static String publish(String bootstrap, DeployRequested request, SigningKey key) {
        EventEnvelope<DeployRequested> event = EventEnvelope.of("/ci", request);
        String value = EventCodec.encodeToString(event);
        KafkaTestClient.produce(bootstrap, Topics.DEPLOY_REQUESTS, event.key(), value, headers(value, key));
        return value;
    }

    /** The headers of a signed request: its content type and its signature over {@code value}. */
    public static Map<String, String> headers(String value, SigningKey key) {
        return Map.of("content-type", EventEnvelope.CONTENT_TYPE,
                RequestSignature.HEADER, RequestSignature.sign(key, value.getBytes(StandardCharsets.UTF_8)));
    }
}
