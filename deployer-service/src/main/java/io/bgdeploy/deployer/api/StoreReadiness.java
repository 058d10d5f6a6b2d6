package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.model.DeploymentStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness is DOWN while etcd, where all state lives, does not answer. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    private final DeploymentStore store;

    public StoreReadiness(DeploymentStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("etcd").status(store.reachable()).build();
    }
}
