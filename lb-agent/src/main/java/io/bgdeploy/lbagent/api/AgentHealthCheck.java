package io.bgdeploy.lbagent.api;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** DOWN while the agent's HAProxy cannot be brought to the current configuration. */
@Readiness
@ApplicationScoped
public class AgentHealthCheck implements HealthCheck {

    private final HaproxyAgent agent;

    public AgentHealthCheck(HaproxyAgent agent) {
        this.agent = agent;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("haproxy-agent");
        HaproxyAgent.Status s = agent.status();
        b.status(s.healthy()).withData("agentId", agent.agentId()).withData("appliedRevision", s.appliedRevision())
                .withData("reloads", s.reloads()).withData("runtimeUpdates", s.runtimeUpdates());
        if (s.lastFailure() != null) {
            b.withData("lastFailure", s.lastFailure());
        }
        return b.build();
    }
}
