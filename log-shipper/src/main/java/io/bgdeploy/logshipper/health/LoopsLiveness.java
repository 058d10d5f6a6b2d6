package io.bgdeploy.logshipper.health;

import io.bgdeploy.logshipper.config.CollectorService;
import io.bgdeploy.logshipper.config.ShipperService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: DOWN once the shipping loop's thread or the collector's rounds stopped for good (an
 * error nothing handles), so that Kubernetes restarts the pod. An unreachable Graylog or Kafka is
 * not a reason: the loops wait for them, and readiness says so.
 */
@Liveness
@ApplicationScoped
public class LoopsLiveness implements HealthCheck {

    private final ShipperService shipper;
    private final CollectorService collector;

    public LoopsLiveness(ShipperService shipper, CollectorService collector) {
        this.shipper = shipper;
        this.collector = collector;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("loops")
                .withData("shipper", !shipper.enabled() ? "disabled" : shipper.stopped() ? "stopped: " + shipper.stats().lastError() : "running")
                .withData("collector", !collector.enabled() ? "disabled" : collector.stopped() ? "stopped" : "running");
        return (shipper.stopped() || collector.stopped() ? response.down() : response.up()).build();
    }
}
