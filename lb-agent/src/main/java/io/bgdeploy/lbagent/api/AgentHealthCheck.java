package io.bgdeploy.lbagent.api;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * UP while the agent's HAProxy serves (its master shows a worker). It does not depend on etcd or
 * Kafka, nor on whether the latest configuration could be applied: HAProxy goes on serving the
 * last good one, and a pod taken out of its Service for that would only lose traffic. How far
 * behind the agent is shows in the data here, on {@code /status}, in the metrics and on
 * lb-config-service's {@code /agents}.
 */
@Readiness
@ApplicationScoped
public class AgentHealthCheck implements HealthCheck {

    private final HaproxyAgent agent;

    public AgentHealthCheck(HaproxyAgent agent) {
        this.agent = agent;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("haproxy");
        HaproxyAgent.Status s = agent.status();
        b.status(s.haproxyServing()).withData("agentId", agent.agentId()).withData("appliedRevision", s.appliedRevision())
                .withData("configurationApplied", s.healthy()).withData("reloads", s.reloads())
                .withData("runtimeUpdates", s.runtimeUpdates());
        if (s.lastFailure() != null) {
            b.withData("lastFailure", s.lastFailure());
        }
        return b.build();
    }
}
