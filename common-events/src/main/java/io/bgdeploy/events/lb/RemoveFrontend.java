package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;

/**
 * Removes a frontend. With {@code expectedBackendId}, only if it still routes there (so a failed
 * first deployment never removes a frontend someone else has switched meanwhile).
 *
 * @param host the frontend's host name, {@code hostname} on the wire
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoveFrontend(String commandId, String deploymentId, String namespace, String appName,
                             @JsonProperty("hostname") HostName host, String expectedBackendId) implements LbCommand {

    @JsonCreator
    public RemoveFrontend {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requirePresent(host, "hostname");
        if (expectedBackendId != null) {
            Names.requireBackendId(expectedBackendId);
        }
    }
}
