package io.bgdeploy.health.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.health.model.ServingVersions;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Reads {@value Topics#DEPLOY_EVENTS} from its start, in every instance and without a consumer
 * group, to learn which version of each app should serve ({@link ServingVersions}).
 */
@ApplicationScoped
public class DeployEventsReader {

    private static final Logger LOG = Logger.getLogger(DeployEventsReader.class);

    private final TopicTail tail;

    public DeployEventsReader(@Identifier("default-kafka-broker") Map<String, Object> kafka, ServingVersions versions) {
        this.tail = new TopicTail(kafka, Topics.DEPLOY_EVENTS, null, event -> versions.apply(event.data()), () -> {
            versions.markCaughtUp();
            LOG.infof("%s read up to now: %d app(s) have a version that should serve", Topics.DEPLOY_EVENTS,
                    versions.all().size());
        });
    }

    void onStart(@Observes StartupEvent event) {
        tail.start();
    }

    @PreDestroy
    void stop() {
        tail.close();
    }
}
