package io.bgdeploy.infra;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Follows {@code deploy-events} from the moment it is created: prints each phase of one deployment
 * with its duration (known when the next phase begins), and returns its final event.
 */
public final class DeployEventsFollower implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;

    public DeployEventsFollower(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p);
        var partitions = consumer.partitionsFor(Topics.DEPLOY_EVENTS, Duration.ofSeconds(30));
        List<TopicPartition> tps = partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(tps);
        consumer.seekToEnd(tps);
        tps.forEach(consumer::position);
    }

    /** Prints the phases of {@code deploymentId} until it finishes; fails after {@code timeout}. */
    public DeploymentFinished follow(String deploymentId, PrintStream out, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String current = null;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                EventEnvelope<?> event;
                try {
                    event = EventCodec.decode(r.value());
                } catch (MalformedEventException e) {
                    continue;
                }
                if (event.data() instanceof DeploymentPhaseChanged p && p.deploymentId().equals(deploymentId)) {
                    if (current != null && p.previousPhaseMillis() != null) {
                        out.printf("    %-19s %,7d ms%n", current, p.previousPhaseMillis());
                    }
                    current = p.phase().name();
                    if (p.message() != null) {
                        out.printf("    %-19s %s%n", current, p.message());
                    }
                } else if (event.data() instanceof DeploymentFinished f && f.deploymentId().equals(deploymentId)) {
                    out.printf("    %-19s version %s in %,d ms%s%n", f.status(), f.version(), f.durationMillis(),
                            f.reason() == null ? "" : ": " + f.reason());
                    return f;
                }
            }
        }
        throw new IllegalStateException("deployment " + deploymentId + " did not finish within " + timeout);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
