package io.bgdeploy.logshipper.config;

import io.bgdeploy.events.Topics;
import io.bgdeploy.logshipper.collector.kubernetes.NodePods;
import io.bgdeploy.logshipper.model.PodDirectory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Runs the node collector when {@code logshipper.collector.enabled=true}. */
@ApplicationScoped
public class CollectorService {

    private static final Logger LOG = Logger.getLogger(CollectorService.class);

    private final LogShipperConfig config;
    private final KafkaClients kafka;
    private final Instance<KubernetesClient> kubernetes;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> rounds;
    private Wiring.Collecting collecting;
    private NodePods nodePods;

    public CollectorService(LogShipperConfig config, KafkaClients kafka, Instance<KubernetesClient> kubernetes) {
        this.config = config;
        this.kafka = kafka;
        this.kubernetes = kubernetes;
    }

    public boolean enabled() {
        return config.collector().enabled();
    }

    /** Whether collection rounds were started and stopped for good since. */
    public boolean stopped() {
        return rounds != null && rounds.isDone();
    }

    void start(@Observes StartupEvent event) throws IOException {
        LogShipperConfig.Collector c = config.collector();
        if (!c.enabled()) {
            return;
        }
        String node = c.node().orElseGet(CollectorService::hostName);
        PodDirectory pods = PodDirectory.NONE;
        if (c.kubernetes().enabled()) {
            nodePods = NodePods.watch(kubernetes.get(), node);
            pods = nodePods;
        }
        collecting = Wiring.collecting(config, kafka, node, pods);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cri-collector"));
        rounds = scheduler.scheduleWithFixedDelay(this::poll, 0, c.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("collector on node %s tails %s into %s (Kafka %s), positions in %s, pod labels %s", node, c.directory(),
                Topics.CONTAINER_LOGS, kafka.bootstrapServers(), c.positionsFile(),
                nodePods != null ? "from the Kubernetes API" : "not read");
    }

    private void poll() {
        try {
            collecting.collector().pollOnce();
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
        collecting.collector().close();
        collecting.producer().close();
        if (nodePods != null) {
            nodePods.close();
        }
    }
}
