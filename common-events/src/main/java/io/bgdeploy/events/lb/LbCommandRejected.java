package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

/** A command was not applied; nothing changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LbCommandRejected(String commandId, String deploymentId, String namespace, String appName,
                                String reason) implements EventData {

    public LbCommandRejected {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireText(reason, "reason");
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
