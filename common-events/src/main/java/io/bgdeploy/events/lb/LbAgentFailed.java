package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Names;

/**
 * An agent could not bring its HAProxy to {@code revision}: the rendered config failed validation
 * or the reload failed. HAProxy keeps serving the last good configuration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LbAgentFailed(String agentId, long revision, String reason) implements EventData {

    public LbAgentFailed {
        Names.requireServerName(agentId);
        Names.requireText(reason, "reason");
    }

    @Override
    public String key() {
        return "agent/" + agentId;
    }
}
