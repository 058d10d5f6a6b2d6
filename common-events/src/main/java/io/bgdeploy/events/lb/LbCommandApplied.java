package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

import java.util.List;

/**
 * A command is in etcd at {@code revision} and every live agent has confirmed that its HAProxy
 * serves that revision (or a later one).
 *
 * @param agents the agents that confirmed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LbCommandApplied(String commandId, String deploymentId, String namespace, String appName,
                               long revision, List<String> agents) implements EventData {

    public LbCommandApplied {
        Names.requireText(commandId, "commandId");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        agents = agents == null ? List.of() : List.copyOf(agents);
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
