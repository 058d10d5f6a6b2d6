package io.bgdeploy.lbconfig.api;

import io.bgdeploy.lbconfig.store.EtcdLbStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN while etcd does not answer: no command can be applied then. */
@Readiness
@ApplicationScoped
public class EtcdReadinessCheck implements HealthCheck {

    private final EtcdLbStore store;

    public EtcdReadinessCheck(EtcdLbStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("etcd").status(store.reachable()).build();
    }
}
