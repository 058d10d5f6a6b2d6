package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.infra.HttpClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Plays the rest of the suite over real Kafka: health-service (reads pod-events, probes each pod's
 * HTTP health endpoint for real, publishes READY or UNHEALTHY on pod-health) and lb-config-service
 * (reads lb-commands, applies them to an in-memory load balancer with its CAS rules, answers on
 * lb-events). One instance per test JVM, on its shared broker; {@link #forBroker} for another one.
 */
public final class KafkaSuiteDoubles implements AutoCloseable {

    private static KafkaSuiteDoubles instance;

    public final FakeLoadBalancer lb = new FakeLoadBalancer();
    private final KafkaProducer<String, String> producer;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "suite-double");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClients.http11(Duration.ofSeconds(1));
    private volatile boolean running = true;
    private final java.util.Set<String> held = new java.util.HashSet<>();
    private final List<LbCommand> heldCommands = new java.util.ArrayList<>();
    private final String bootstrap;

    public static synchronized KafkaSuiteDoubles start(String bootstrap) {
        if (instance == null) {
            instance = new KafkaSuiteDoubles(bootstrap);
        }
        return instance;
    }

    /** A separate instance, for a broker of the test's own (the test closes it). */
    public static KafkaSuiteDoubles forBroker(String bootstrap) {
        return new KafkaSuiteDoubles(bootstrap);
    }

    private KafkaSuiteDoubles(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        threads.submit(() -> consume(Topics.POD_EVENTS, this::onPodEvent));
        threads.submit(() -> consume(Topics.LB_COMMANDS, this::onLbCommand));
    }

    private void consume(String topic, java.util.function.Consumer<EventEnvelope<?>> handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "suite-double-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        handler.accept(EventCodec.decode(r.value()));
                    } catch (Exception e) {
                        System.err.println("suite double ignores a record on " + topic + ": " + e);
                    }
                }
            }
        }
    }

    private void publish(EventData data) {
        EventEnvelope<EventData> env = EventEnvelope.of("/test-suite-double", data);
        producer.send(new ProducerRecord<>(data.eventType().topic(), env.key(), EventCodec.encodeToString(env)));
    }

    /**
     * Leaves the app's load-balancer commands unanswered, as an agent that does not confirm: the
     * deployment waits in the phase that sent them.
     */
    public synchronized void holdLoadBalancer(String appKey) {
        held.add(appKey);
    }

    /** Applies and answers the app's held commands, in order, and every later one at once. */
    public synchronized void releaseLoadBalancer(String appKey) {
        held.remove(appKey);
        List<LbCommand> release = heldCommands.stream().filter(c -> appKey.equals(Keys.app(c.namespace(), c.appName())))
                .toList();
        heldCommands.removeAll(release);
        release.forEach(this::answer);
    }

    /** The commands held for the app so far. */
    public synchronized List<LbCommand> heldCommands(String appKey) {
        return heldCommands.stream().filter(c -> appKey.equals(Keys.app(c.namespace(), c.appName()))).toList();
    }

    private synchronized void onLbCommand(EventEnvelope<?> event) {
        if (!(event.data() instanceof LbCommand command)) {
            return;
        }
        if (held.contains(Keys.app(command.namespace(), command.appName()))) {
            heldCommands.add(command);
            return;
        }
        answer(command);
    }

    private void answer(LbCommand command) {
        LoadBalancer.Answer answer = lb.apply(command, Duration.ZERO);
        if (answer.outcome() == LoadBalancer.Outcome.TIMED_OUT) {
            return; // answered before: lb-config-service ignores a redelivered command it has answered
        }
        if (answer.applied()) {
            publish(new LbCommandApplied(command.commandId(), command.deploymentId(), command.namespace(),
                    command.appName(), lb.commands.size(), List.of("agent-1")));
        } else {
            publish(new LbCommandRejected(command.commandId(), command.deploymentId(), command.namespace(),
                    command.appName(), answer.reason()));
        }
    }

    private void onPodEvent(EventEnvelope<?> event) {
        if (event.data() instanceof PodStarted started && started.healthCheck() != null) {
            threads.submit(() -> probe(started));
        }
    }

    /** Probes until the success threshold (READY) or the failure threshold (UNHEALTHY), like health-service. */
    private void probe(PodStarted pod) {
        HealthCheckSpec hc = pod.healthCheck();
        int failures = 0;
        int successes = 0;
        while (running) {
            ProbeResult result = probeOnce(pod.address(), hc);
            if (result.healthy()) {
                failures = 0;
                if (++successes >= hc.successThreshold()) {
                    publish(new PodHealthChanged(pod.pod(), PodHealthState.READY, result));
                    return;
                }
            } else {
                successes = 0;
                // a pod that is still starting refuses connections: not counted, as a readiness probe's initial delay
                if (result.httpStatus() != null && ++failures >= hc.failureThreshold()) {
                    publish(new PodHealthChanged(pod.pod(), PodHealthState.UNHEALTHY, result));
                    return;
                }
            }
            try {
                Thread.sleep(hc.periodMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private ProbeResult probeOnce(String address, HealthCheckSpec hc) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + hc.port() + hc.path()))
                    .timeout(Duration.ofMillis(Math.max(500, hc.timeoutMillis()))).build(), HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            boolean ok = r.statusCode() / 100 == 2;
            if (ok && HealthCheckSpec.PROBE.equals(hc.type())) {
                try {
                    ok = EventCodec.mapper().readTree(r.body()).path("healthy").asBoolean(false);
                } catch (Exception notJson) {
                    ok = false;
                }
            }
            return new ProbeResult(Instant.now(), ok, r.statusCode(), ms, r.body(), ok ? null
                    : HealthCheckSpec.PROBE.equals(hc.type()) ? "body is not {\"healthy\": true}" : "HTTP " + r.statusCode());
        } catch (Exception e) {
            return new ProbeResult(Instant.now(), false, null, (System.nanoTime() - t0) / 1_000_000, null, e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        threads.shutdownNow();
        producer.close(Duration.ofSeconds(2));
    }
}
