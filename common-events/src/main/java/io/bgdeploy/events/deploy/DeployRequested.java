package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/**
 * What CI publishes on {@code deploy-requests}.
 *
 * @param requestId   optional; a request with an id already seen is answered again, not deployed twice
 * @param requestedBy who asked (a CI job, a user); shown in the history
 * @param descriptor  what to deploy; validated by the deployer, which answers with a rejection
 *                    listing every problem
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeployRequested(String requestId, String requestedBy, Descriptor descriptor) implements EventData {

    public DeployRequested {
        Names.requirePresent(descriptor, "descriptor");
        if (requestId != null && (requestId.isBlank() || requestId.length() > 200)) {
            throw new IllegalArgumentException("requestId must be 1 to 200 characters when given");
        }
    }

    @Override
    public String key() {
        return descriptor.key();
    }
}
