package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

import java.util.List;

/**
 * A deploy request was refused before anything was created.
 *
 * @param key      the key of the request it answers (as received, so CI can correlate)
 * @param problems one message per problem
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentRejected(String requestId, String key, String reason, List<String> problems)
        implements EventData {

    public DeploymentRejected {
        Names.requireText(key, "key");
        Names.requireText(reason, "reason");
        problems = problems == null ? List.of() : List.copyOf(problems);
    }
}
