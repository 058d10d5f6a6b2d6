package io.bgdeploy.health.config;

import io.bgdeploy.events.Topics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** One line at startup that says what the service connected to. */
@ApplicationScoped
public class StartupLog {

    private static final Logger LOG = Logger.getLogger(StartupLog.class);

    private final String bootstrapServers;
    private final HealthConfig config;

    public StartupLog(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                      HealthConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        LOG.infof("health-service: reading %s and publishing %s on Kafka at %s; restart alert above %d restarts in %s;"
                        + " Kubernetes watch %s; %d data store(s) checked; dashboard at /",
                Topics.POD_EVENTS, Topics.POD_HEALTH, bootstrapServers, config.restartAlert().maxRestarts(),
                config.restartAlert().window(), config.cluster().enabled() ? "on" : "off",
                config.datastores().size());
    }
}
