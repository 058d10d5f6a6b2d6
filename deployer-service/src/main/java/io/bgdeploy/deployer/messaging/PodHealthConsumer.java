package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.RestartAlertRaised;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Pod health from health-service: feeds the waiting deployments and the health-check data. Every
 * instance reads the live tail of pod-health ({@link LiveTails}): a deployment waits only for pods it
 * created while this instance runs.
 */
@ApplicationScoped
public class PodHealthConsumer {

    private static final Logger LOG = Logger.getLogger(PodHealthConsumer.class);

    private final HealthBoard board;
    private final DeploymentStore store;

    public PodHealthConsumer(HealthBoard board, DeploymentStore store) {
        this.board = board;
        this.store = store;
    }

    public void consume(String record) throws MalformedEventException {
        EventEnvelope<?> event = EventCodec.decode(record);
        if (event.data() instanceof PodHealthChanged health) {
            board.onHealth(health);
            String deploymentId = health.pod().deploymentId();
            if (deploymentId != null && io.bgdeploy.deployer.model.Ids.isId(deploymentId)) {
                try {
                    store.saveHealth(health.pod().namespace(), deploymentId,
                            new PodHealthRecord(health.pod().podName(), health.state(), health.lastProbe(), Instant.now()));
                } catch (RuntimeException e) {
                    LOG.warnf("deployment %s: health of pod %s not stored: %s", deploymentId, health.pod().podName(),
                            e.getMessage());
                }
            }
        } else if (event.data() instanceof RestartAlertRaised alert) {
            LOG.warnf("deployment %s: pod %s restarted %d times in %d s", alert.pod().deploymentId(),
                    alert.pod().podName(), alert.restartsInWindow(), alert.windowSeconds());
        }
    }
}
