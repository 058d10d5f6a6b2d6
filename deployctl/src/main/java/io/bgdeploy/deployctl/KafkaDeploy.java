package io.bgdeploy.deployctl;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A deployment through Kafka, as any CI job could do it with a Kafka client: start reading the end
 * of deploy-events, publish a DeployRequested with a fresh request id on deploy-requests, then read
 * deploy-events until the deployment is over. Reading starts before publishing, so no answer can
 * be missed; it reads without a consumer group, so it commits nothing and disturbs no one.
 */
public final class KafkaDeploy {

    /** Source of the events this client publishes. */
    public static final String SOURCE = "/deployctl";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    static final Duration POLL = Duration.ofMillis(300);

    private final String bootstrap;
    private final Properties clientConfig;
    private final Consumer<String> out;
    private final Consumer<String> warn;
    private final Optional<SigningKey> signingKey;

    /**
     * @param clientConfig extra Kafka client properties (TLS, SASL); they cannot change what
     *                     deployctl relies on (serializers, offsets, acks)
     */
    public KafkaDeploy(String bootstrap, Properties clientConfig, Consumer<String> out, Consumer<String> warn) {
        this(bootstrap, clientConfig, Optional.empty(), out, warn);
    }

    /** @param signingKey the key of the namespace that signs the request (see {@link RequestSignature}) */
    public KafkaDeploy(String bootstrap, Properties clientConfig, Optional<SigningKey> signingKey, Consumer<String> out,
                       Consumer<String> warn) {
        this.bootstrap = bootstrap;
        this.clientConfig = clientConfig;
        this.signingKey = signingKey;
        this.out = out;
        this.warn = warn;
    }

    public Outcome deploy(Descriptor descriptor, String requestedBy, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        EventEnvelope<DeployRequested> request =
                EventEnvelope.of(SOURCE, new DeployRequested(requestId, requestedBy, descriptor));
        DeploymentFollower follower = new DeploymentFollower(requestId, request.key(), out, warn);
        long deadline = System.nanoTime() + timeout.toNanos();

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties(bootstrap, clientConfig));
             KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            boolean assigned = assign(consumer, CONNECT_TIMEOUT, false);

            out.accept("requesting " + request.key() + " version " + descriptor.newVersion() + " on Kafka " + bootstrap
                    + " (request " + requestId + signingKey.map(k -> ", signed with key " + k.id()).orElse(", unsigned") + ")");
            String value = EventCodec.encodeToString(request);
            ProducerRecord<String, String> record = new ProducerRecord<>(Topics.DEPLOY_REQUESTS, request.key(), value);
            record.headers().add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
            if (signingKey.isPresent()) {
                record.headers().add(RequestSignature.HEADER, RequestSignature.sign(signingKey.get(),
                        value.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII));
            }
            producer.send(record).get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            while (System.nanoTime() < deadline) {
                if (!assigned) {
                    // The topic did not exist when we started: everything in it is newer than the request.
                    assigned = assign(consumer, POLL, true);
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    Optional<Outcome> outcome = follower.onRecord(r.key(), r.value(),
                            r.topic() + "-" + r.partition() + "@" + r.offset());
                    if (outcome.isPresent()) {
                        return outcome.get();
                    }
                }
            }
            Outcome timedOut = follower.timedOut(timeout);
            out.accept(timedOut.summary());
            return timedOut;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.cannotRun("interrupted");
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return unreachable(bootstrap, cause);
        }
    }

    static Outcome unreachable(String bootstrap, Throwable cause) {
        return Outcome.cannotRun("cannot use Kafka at " + bootstrap + ": "
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage())
                + ". Check --bootstrap (or KAFKA_BOOTSTRAP_SERVERS) and that the broker is reachable from here");
    }

    /**
     * Assigns every partition of deploy-events, at its end or (for a topic that appeared after the
     * request was published) at its beginning. The positions are resolved at once, before anything is
     * published. False while the topic does not exist yet.
     */
    static boolean assign(KafkaConsumer<String, String> consumer, Duration timeout, boolean fromBeginning) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(Topics.DEPLOY_EVENTS, timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            if (!fromBeginning) {
                throw e;
            }
            return false;
        }
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position);
        return true;
    }

    /** A consumer of deploy-events in no consumer group: it commits nothing and disturbs no one. */
    static Properties consumerProperties(String bootstrap, Properties clientConfig) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "deployctl");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(CONNECT_TIMEOUT.toMillis()));
        return p;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "deployctl");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(CONNECT_TIMEOUT.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(CONNECT_TIMEOUT.toMillis()));
        return p;
    }
}
