package io.bgdeploy.logshipper.config;

import io.bgdeploy.events.Topics;
import io.bgdeploy.logshipper.delivery.ShipperStats;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/** Starts the shipping loop on its own thread when the application starts, if enabled. */
@ApplicationScoped
public class ShipperService {

    private static final Logger LOG = Logger.getLogger(ShipperService.class);

    private final LogShipperConfig config;
    private final KafkaClients kafka;
    private final String gelfUrl;
    private final MeterRegistry registry;
    private final ShipperStats stats = new ShipperStats();
    private Wiring.Shipping shipping;
    private Thread thread;

    public ShipperService(LogShipperConfig config, KafkaClients kafka, @ConfigProperty(name = "graylog.gelf.url") String gelfUrl,
                          MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.gelfUrl = gelfUrl;
        this.registry = registry;
    }

    public ShipperStats stats() {
        return stats;
    }

    public boolean enabled() {
        return config.shipper().enabled();
    }

    /** Whether the shipping loop was started and its thread ended since, whatever the reason. */
    public boolean stopped() {
        return thread != null && !thread.isAlive();
    }

    void start(@Observes StartupEvent event) {
        if (!config.shipper().enabled()) {
            LOG.info("shipping to Graylog is disabled (logshipper.shipper.enabled=false)");
            return;
        }
        shipping = Wiring.shipping(config, kafka, gelfUrl, stats);
        registerMetrics(shipping.transport());
        thread = new Thread(shipping.shipper(), "gelf-shipper");
        thread.setUncaughtExceptionHandler((t, e) -> {
            stats.failed("shipping loop stopped: " + e);
            LOG.error("the shipping loop stopped; liveness is DOWN until the process restarts", e);
        });
        thread.start();
        LOG.infof("log-shipper reads %s from Kafka %s (group %s) and ships GELF to %s", Topics.CONTAINER_LOGS,
                kafka.bootstrapServers(), config.shipper().groupId(), shipping.transport().describe());
    }

    private void registerMetrics(GelfTransport transport) {
        counter("logshipper.records.delivered", "records whose message Graylog took (or the transport vouched for)", stats.delivered);
        counter("logshipper.messages.sent", "GELF messages written, resends included", stats.sent);
        counter("logshipper.messages.resent", "GELF messages sent again after a failure", stats.resent);
        counter("logshipper.records.dead.lettered", "records sent to container-logs-dlq", stats.deadLettered);
        counter("logshipper.records.malformed", "records that are not container log events", stats.malformed);
        counter("logshipper.records.refused", "records Graylog refused for good (HTTP 400 or 413)", stats.refused);
        counter("logshipper.records.truncated", "records cut to the maximum message size", stats.truncated);
        counter("logshipper.delivery.failures", "failed deliveries (each followed by a backoff)", stats.deliveryFailures);
        Gauge.builder("logshipper.in.flight.records", stats.inFlight, AtomicLong::get)
                .description("records polled but not yet settled").register(registry);
        Gauge.builder("logshipper.in.flight.bytes", stats.inFlightBytes, AtomicLong::get)
                .description("estimated memory held by unsettled records").register(registry);
        Gauge.builder("logshipper.graylog.reachable", stats, st -> st.reachable() ? 1 : 0)
                .description("1 while the GELF receiver takes messages").register(registry);
        FunctionCounter.builder("logshipper.messages.truncated.by.transport", transport, GelfTransport::truncatedByTransport)
                .description("messages cut further to fit 128 UDP chunks").register(registry);
    }

    private void counter(String name, String description, AtomicLong value) {
        FunctionCounter.builder(name, value, AtomicLong::get).description(description).register(registry);
    }

    void stop(@Observes ShutdownEvent event) {
        if (shipping == null) {
            return;
        }
        shipping.shipper().close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shipping.deadLetterProducer().close();
    }
}
