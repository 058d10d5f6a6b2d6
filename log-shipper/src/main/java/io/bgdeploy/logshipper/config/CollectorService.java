package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.Topics;
import io.bgdeploy.logshipper.config.LogShipperConfig;
import io.bgdeploy.logshipper.source.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs the node collector when {@code logshipper.collector.enabled=true}. */
@ApplicationScoped
public class CollectorService {

    private static final Logger LOG = Logger.getLogger(CollectorService.class);

    private final LogShipperConfig config;
    private final String bootstrap;
    private ScheduledExecutorService scheduler;
    private KafkaProducer<String, String> producer;
    private Collector collector;

    public CollectorService(LogShipperConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent event) throws IOException {
        LogShipperConfig.Collector c = config.collector();
        if (!c.enabled()) {
            return;
        }
        String node = c.node().orElseGet(CollectorService::hostName);
        producer = KafkaClients.producer(bootstrap, "log-shipper-collector-" + node);
        collector = new Collector(c.directory(), new Positions(c.positionsFile()),
                new KafkaRecordSink(producer, Topics.CONTAINER_LOGS), node, c.maxLineBytes());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cri-collector"));
        scheduler.scheduleWithFixedDelay(this::poll, 0, c.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("collector on node %s tails %s into %s (Kafka %s), positions in %s", node, c.directory(),
                Topics.CONTAINER_LOGS, bootstrap, c.positionsFile());
    }

    private void poll() {
        try {
            collector.pollOnce();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("collector round failed: %s", e.getMessage());
        }
    }

    private static String hostName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-node";
        }
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        collector.close();
        producer.close();
    }
}
