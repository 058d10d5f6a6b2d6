package io.bgdeploy.logshipper.health;

import io.bgdeploy.logshipper.config.ShipperService;
import io.bgdeploy.logshipper.delivery.ShipperStats;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: DOWN while the GELF receiver does not take messages (records wait in Kafka meanwhile). */
@Readiness
@ApplicationScoped
public class GelfReadiness implements HealthCheck {

    private final ShipperService shipper;

    public GelfReadiness(ShipperService shipper) {
        this.shipper = shipper;
    }

    @Override
    public HealthCheckResponse call() {
        if (!shipper.enabled()) {
            return HealthCheckResponse.named("graylog").up().withData("shipping", "disabled").build();
        }
        ShipperStats stats = shipper.stats();
        var response = HealthCheckResponse.named("graylog")
                .withData("inFlightRecords", stats.inFlight.get())
                .withData("delivered", stats.delivered.get())
                .withData("consumerPaused", stats.paused());
        if (stats.reachable()) {
            return response.up().build();
        }
        return response.down().withData("error", stats.lastError()).build();
    }
}
