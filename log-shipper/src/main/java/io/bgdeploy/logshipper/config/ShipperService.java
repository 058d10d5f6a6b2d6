package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.Topics;
import io.bgdeploy.logshipper.config.LogShipperConfig;
import io.bgdeploy.logshipper.gelf.GelfMapper;
import io.bgdeploy.logshipper.source.DeadLetters;
import io.bgdeploy.logshipper.source.KafkaClients;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/** Starts the shipping loop on its own thread when the application starts, if enabled. */
@ApplicationScoped
public class ShipperService {

    private static final Logger LOG = Logger.getLogger(ShipperService.class);

    private final LogShipperConfig config;
    private final String bootstrap;
    private final String gelfUrl;
    private final MeterRegistry registry;
    private final ShipperStats stats = new ShipperStats();
    private GelfShipper shipper;
    private KafkaProducer<String, String> dlqProducer;
    private Thread thread;

    public ShipperService(LogShipperConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                          @ConfigProperty(name = "graylog.gelf.url") String gelfUrl, MeterRegistry registry) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.gelfUrl = gelfUrl;
        this.registry = registry;
    }

    public ShipperStats stats() {
        return stats;
    }

    public boolean enabled() {
        return config.shipper().enabled();
    }

    void start(@Observes StartupEvent event) {
        if (!config.shipper().enabled()) {
            LOG.info("shipping to Graylog is disabled (logshipper.shipper.enabled=false)");
            return;
        }
        LogShipperConfig.Shipper s = config.shipper();
        GelfTransport transport = GelfTransports.fromUrl(gelfUrl, new GelfTransports.Options(s.connectTimeout(),
                s.writeTimeout(), s.confirmDelay(), config.gelf().udpDatagramBytes(), s.httpConcurrency()));
        GelfMapper mapper = new GelfMapper(new GelfMapper.Settings(config.gelf().maxMessageBytes(),
                config.gelf().stdoutLevel(), config.gelf().stderrLevel()));
        dlqProducer = KafkaClients.producer(bootstrap, "log-shipper-dlq");
        shipper = new GelfShipper(KafkaClients.consumer(bootstrap, s.groupId(), "log-shipper"),
                new DeadLetters(dlqProducer, Topics.CONTAINER_LOGS_DLQ), mapper, transport,
                new GelfShipper.Settings(Topics.CONTAINER_LOGS, s.maxInFlightRecords(), s.maxInFlightBytes(),
                        s.pollTimeout(), s.initialBackoff(), s.maxBackoff()), stats);
        registerMetrics(transport);
        thread = new Thread(shipper, "gelf-shipper");
        thread.setUncaughtExceptionHandler((t, e) -> {
            stats.failed("shipping loop stopped: " + e);
            LOG.error("shipping loop stopped", e);
        });
        thread.start();
        LOG.infof("log-shipper connected to Kafka %s (group %s, topic %s), shipping GELF to %s", bootstrap,
                s.groupId(), Topics.CONTAINER_LOGS, transport.describe());
    }

    private void registerMetrics(GelfTransport transport) {
        counter("logshipper.records.delivered", "records confirmed delivered to Graylog", stats.delivered);
        counter("logshipper.messages.sent", "GELF messages written, resends included", stats.sent);
        counter("logshipper.messages.resent", "GELF messages sent again after a failure", stats.resent);
        counter("logshipper.records.dead.lettered", "records sent to container-logs-dlq", stats.deadLettered);
        counter("logshipper.records.truncated", "records cut to the maximum message size", stats.truncated);
        counter("logshipper.delivery.failures", "failed deliveries (each followed by a backoff)", stats.deliveryFailures);
        Gauge.builder("logshipper.in.flight.records", stats.inFlight, AtomicLong::get)
                .description("records polled but not yet confirmed").register(registry);
        Gauge.builder("logshipper.in.flight.bytes", stats.inFlightBytes, AtomicLong::get)
                .description("estimated memory held by unconfirmed records").register(registry);
        Gauge.builder("logshipper.graylog.reachable", stats, st -> st.reachable() ? 1 : 0)
                .description("1 while the GELF receiver takes messages").register(registry);
        FunctionCounter.builder("logshipper.messages.truncated.by.transport", transport, GelfTransport::truncatedByTransport)
                .description("messages cut further to fit 128 UDP chunks").register(registry);
    }

    private void counter(String name, String description, AtomicLong value) {
        FunctionCounter.builder(name, value, AtomicLong::get).description(description).register(registry);
    }

    void stop(@Observes ShutdownEvent event) {
        if (shipper == null) {
            return;
        }
        shipper.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dlqProducer.close();
    }
}
