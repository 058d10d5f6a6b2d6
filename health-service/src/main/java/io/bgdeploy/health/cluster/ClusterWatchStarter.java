package io.bgdeploy.health.cluster;

import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.alerts.RestartAlerts;
import io.bgdeploy.health.model.DashboardState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.time.Clock;

/** Starts the {@link ClusterWatch} when {@code health.cluster.enabled} is true. */
@ApplicationScoped
public class ClusterWatchStarter {

    private final HealthConfig config;
    private final Instance<KubernetesClient> client;
    private final DashboardState dashboard;
    private final RestartAlerts restarts;
    private final Clock clock;
    private ClusterWatch watch;

    public ClusterWatchStarter(HealthConfig config, Instance<KubernetesClient> client, DashboardState dashboard,
                               RestartAlerts restarts, Clock clock) {
        this.config = config;
        this.client = client;
        this.dashboard = dashboard;
        this.restarts = restarts;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        HealthConfig.Cluster c = config.cluster();
        if (!c.enabled()) {
            return;
        }
        watch = new ClusterWatch(client.get(), c.namespace().orElse(null),
                new ClusterWatch.Labels(c.appLabel(), c.versionLabel(), c.deploymentIdLabel()), dashboard, restarts, clock);
        watch.start();
    }

    @PreDestroy
    void stop() {
        if (watch != null) {
            watch.close();
        }
    }
}
