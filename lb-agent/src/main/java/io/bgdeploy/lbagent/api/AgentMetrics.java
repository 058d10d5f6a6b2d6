package io.bgdeploy.lbagent.api;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The agent's state as gauges: how long ago etcd last answered it (its staleness: HAProxy serves
 * what the agent last applied, however long ago that is), the revision it serves, and whether that
 * is the latest it saw, and the old versions' servers still leaving HAProxy (a count that stays up
 * is a retiring that is stuck).
 */
@ApplicationScoped
public class AgentMetrics {

    void register(@Observes StartupEvent event, HaproxyAgent agent, MeterRegistry registry) {
        Gauge.builder("lbagent.etcd.staleness", agent, a -> {
            long heard = a.status().etcdHeardMillis();
            return heard == 0 ? Double.NaN : (System.currentTimeMillis() - heard) / 1000.0;
        }).baseUnit("seconds").description("seconds since etcd last answered this agent").register(registry);
        Gauge.builder("lbagent.applied.revision", agent, a -> a.status().appliedRevision())
                .description("the etcd revision this agent's HAProxy serves").register(registry);
        Gauge.builder("lbagent.configuration.applied", agent, a -> a.status().healthy() ? 1 : 0)
                .description("1 when the latest configuration is applied, 0 while it cannot be").register(registry);
        Gauge.builder("lbagent.haproxy.serving", agent, a -> a.status().haproxyServing() ? 1 : 0)
                .description("1 while HAProxy's master shows a worker").register(registry);
        Gauge.builder("lbagent.servers.leaving", agent, a -> a.leaving().servers())
                .description("old versions' servers in maintenance, deleted once their connections end").register(registry);
        Gauge.builder("lbagent.servers.not.deletable", agent, a -> a.leaving().notDeletable())
                .description("servers leaving whose deletion HAProxy refused for another reason than open connections")
                .register(registry);
    }
}
