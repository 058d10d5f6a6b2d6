package io.bgdeploy.lbagent.config;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Starts the agent with the application; it stops (and with it a HAProxy it started) when the application stops. */
@ApplicationScoped
public class AgentLifecycle {

    void onStart(@Observes StartupEvent event, HaproxyAgent agent) {
        agent.start();
    }
}
