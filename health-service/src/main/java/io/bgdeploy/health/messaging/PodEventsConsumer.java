package io.bgdeploy.health.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodRestarted;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.health.alerts.RestartAlerts;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.probe.ProbeService;
import io.bgdeploy.health.model.ProbeTarget;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads {@value Topics#POD_EVENTS}: a started pod is probed with its health check, a restarted one
 * counts towards restart alerts, a gone one stops being probed (and GONE is published). A record
 * that cannot be read goes to {@value Topics#POD_EVENTS_DLQ} with the reason; the next one is read.
 */
@ApplicationScoped
public class PodEventsConsumer {

    private static final Logger LOG = Logger.getLogger(PodEventsConsumer.class);

    private final ProbeService probes;
    private final RestartAlerts restarts;
    private final DashboardState dashboard;
    private final PartitionOwnership ownership;

    public PodEventsConsumer(ProbeService probes, RestartAlerts restarts, DashboardState dashboard,
                             PartitionOwnership ownership) {
        this.probes = probes;
        this.restarts = restarts;
        this.dashboard = dashboard;
        this.ownership = ownership;
    }

    @Incoming(Topics.POD_EVENTS)
    public CompletionStage<Void> consume(Message<String> message) {
        Optional<IncomingKafkaRecordMetadata> meta = message.getMetadata(IncomingKafkaRecordMetadata.class);
        int partition = meta.map(IncomingKafkaRecordMetadata::getPartition).orElse(-1);
        if (partition >= 0 && !ownership.owns(partition)) {
            return message.ack();
        }
        Object key = meta.map(IncomingKafkaRecordMetadata::getKey).orElse(null);
        try {
            EventEnvelope<?> event = EventCodec.decode(message.getPayload());
            if (key != null && !key.equals(event.key())) {
                throw new MalformedEventException("record key '" + Names.printable(String.valueOf(key))
                        + "' does not match the event subject '" + Names.printable(event.key()) + "'");
            }
            if (partition >= 0) {
                ownership.seen(event.key(), partition);
            }
            handle(event);
            handled(partition, meta);
            return message.ack();
        } catch (MalformedEventException e) {
            handled(partition, meta);
            LOG.warnf("%s record at partition %d offset %d is malformed, sent to %s: %s", Topics.POD_EVENTS, partition,
                    meta.map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L), Topics.POD_EVENTS_DLQ, e.getMessage());
            return message.nack(e);
        }
    }

    private void handled(int partition, Optional<IncomingKafkaRecordMetadata> meta) {
        if (partition >= 0) {
            ownership.handled(partition, meta.map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L));
        }
    }

    private void handle(EventEnvelope<?> event) throws MalformedEventException {
        if (event.data() instanceof PodStarted started) {
            if (started.healthCheck() == null) {
                dashboard.podStarted(started.pod(), started.node(), started.address(), null);
            } else {
                probes.start(new ProbeTarget(started.pod(), started.node(), started.address(), started.healthCheck()));
            }
        } else if (event.data() instanceof PodRestarted restarted) {
            probes.restarted(restarted.pod());
            restarts.restarted(restarted.pod(), restarted.restartCount(), restarted.reason(), event.time());
        } else if (event.data() instanceof PodGone gone) {
            probes.gone(gone.pod());
            dashboard.podGone(gone.pod());
            restarts.forget(gone.pod());
        } else {
            throw new MalformedEventException("event type " + event.type() + " does not belong on " + Topics.POD_EVENTS);
        }
    }
}
