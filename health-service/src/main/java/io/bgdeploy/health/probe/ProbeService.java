package io.bgdeploy.health.probe;

import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.HealthEvents;
import io.bgdeploy.health.model.ProbeListener;
import io.bgdeploy.health.model.ProbeTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Probes the pods this instance owns and tells the world: every transition is published to
 * {@code pod-health}, shown on the dashboard and counted in the metrics.
 */
@ApplicationScoped
public class ProbeService implements ProbeListener {

    private static final Logger LOG = Logger.getLogger(ProbeService.class);

    private final ProbeEngine engine;
    private final VertxHttpProber prober;
    private final DashboardState dashboard;
    private final HealthEvents events;
    private final Timer latency;
    private final Counter healthyProbes;
    private final Counter failedProbes;
    private final Map<PodHealthState, Counter> transitions = new EnumMap<>(PodHealthState.class);

    public ProbeService(Vertx vertx, HealthConfig config, DashboardState dashboard, HealthEvents events,
                        MeterRegistry registry) {
        this.dashboard = dashboard;
        this.events = events;
        this.prober = new VertxHttpProber(vertx, config.probes().connectionsPerPod());
        this.engine = new ProbeEngine(vertx, prober, this);
        this.latency = Timer.builder("health.probe.latency")
                .description("Time from sending a pod health probe to its verdict")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.healthyProbes = Counter.builder("health.probes").tag("result", "healthy")
                .description("Pod health probes by result").register(registry);
        this.failedProbes = Counter.builder("health.probes").tag("result", "unhealthy")
                .description("Pod health probes by result").register(registry);
        Arrays.stream(PodHealthState.values()).forEach(s -> transitions.put(s,
                Counter.builder("health.transitions").tag("state", s.name().toLowerCase())
                        .description("Pod health transitions published").register(registry)));
        for (String state : new String[]{DashboardState.STARTING, "ready", "unhealthy", "recovered"}) {
            Gauge.builder("health.pods", engine, e -> count(e, state)).tag("state", state)
                    .description("Probed pods by health state").register(registry);
        }
    }

    public boolean start(ProbeTarget target) {
        boolean started = engine.start(target);
        if (started) {
            dashboard.podStarted(target.pod(), target.node(), target.address(), target.url());
            LOG.infof("probing pod %s of deployment %s at %s every %d ms (%s)", target.podKey(),
                    target.pod().deploymentId(), target.url(), target.check().periodMillis(), target.check().type());
        }
        return started;
    }

    public void restarted(PodRef pod) {
        engine.restarted(pod);
    }

    /** @return whether the pod was probed here (and GONE was published) */
    public boolean gone(PodRef pod) {
        return engine.gone(pod);
    }

    /** Stops probing, without publishing, the pods that another instance takes over. */
    public int release(Predicate<ProbeTarget> which) {
        return engine.release(which);
    }

    public ProbeEngine engine() {
        return engine;
    }

    @Override
    public void probed(ProbeTarget target, ProbeResult result) {
        latency.record(Duration.ofMillis(result.latencyMillis()));
        (result.healthy() ? healthyProbes : failedProbes).increment();
        dashboard.probed(target.pod(), result);
    }

    @Override
    public void changed(ProbeTarget target, PodHealthState state, ProbeResult lastProbe) {
        events.publish(new PodHealthChanged(target.pod(), state, lastProbe));
        dashboard.healthChanged(target.pod(), state, lastProbe);
        transitions.get(state).increment();
        if (state == PodHealthState.UNHEALTHY) {
            LOG.warnf("pod %s of deployment %s is unhealthy: %s", target.podKey(), target.pod().deploymentId(),
                    lastProbe == null ? "gone" : lastProbe.error());
        } else {
            LOG.infof("pod %s of deployment %s is %s", target.podKey(), target.pod().deploymentId(),
                    state.name().toLowerCase());
        }
    }

    private static double count(ProbeEngine engine, String state) {
        return engine.pods().stream()
                .filter(p -> state.equals(p.state().map(s -> s.name().toLowerCase()).orElse(DashboardState.STARTING)))
                .count();
    }

    @PreDestroy
    void stop() {
        engine.close();
        prober.close();
    }
}
