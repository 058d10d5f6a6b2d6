package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.bluegreen.DeploymentRunner;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.scheduling.AppRecovery;
import io.bgdeploy.deployer.scheduling.AppScheduler;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deployer's metrics, derived from the events it publishes (so they count what users see on
 * deploy-events) and from the deployer's own counters:
 * <ul>
 *   <li>{@code deployer.requests} (tag {@code answer}: accepted, repeated, invalid, conflict);</li>
 *   <li>{@code deployer.deployments.finished} and {@code deployer.deployment.duration} (tag
 *       {@code status}: DEPLOYED, FAILURE, UNDEPLOYED);</li>
 *   <li>{@code deployer.phase.duration} (tag {@code phase}), the time spent in each phase;</li>
 *   <li>{@code deployer.deployments.running} on this instance, {@code deployer.health.board.deployments}
 *       (deployments with living pods whose health it keeps), {@code deployer.takeovers} (deployments
 *       continued from a stopped instance), {@code deployer.lock.losses} and
 *       {@code deployer.restored.workloads} (serving workloads whose pods it started again);</li>
 *   <li>{@code deployer.events.not.sent} (tag {@code topic}): records the broker did not take
 *       after the producer's retries.</li>
 * </ul>
 */
@ApplicationScoped
public class DeploymentMetrics {

    private final MeterRegistry registry;
    /** The phase each deployment seen here is in, and when it entered it (to time the last phase). */
    private final Map<String, PhaseClock> phases = new ConcurrentHashMap<>();

    private record PhaseClock(DeploymentPhase phase, long sinceNanos) {
    }

    public DeploymentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges and counters that the deployer's parts keep themselves. */
    public void bind(RequestIntake intake, AppScheduler scheduler, DeploymentRunner runner, AppRecovery recovery,
                     HealthBoard board) {
        Gauge.builder("deployer.deployments.running", scheduler, AppScheduler::runningCount)
                .description("deployments this instance runs now").register(registry);
        Gauge.builder("deployer.health.board.deployments", board, HealthBoard::size)
                .description("deployments with living pods whose health this instance keeps").register(registry);
        FunctionCounter.builder("deployer.takeovers", runner, DeploymentRunner::takeovers)
                .description("deployments this instance continued after the instance running them stopped").register(registry);
        FunctionCounter.builder("deployer.lock.losses", scheduler, AppScheduler::lockLosses)
                .description("deployments this instance stopped because it lost the app's lock").register(registry);
        FunctionCounter.builder("deployer.restored.workloads", recovery, AppRecovery::restoredWorkloads)
                .description("serving workloads whose pods this instance started again after the platform lost them")
                .register(registry);
        for (String kind : RequestIntake.answerKinds()) {
            FunctionCounter.builder("deployer.requests", intake, d -> d.answers(kind))
                    .description("deploy requests (REST and Kafka), by answer").tag("answer", kind).register(registry);
        }
    }

    /** Counts and times what a published event says. */
    public void record(EventData event) {
        if (event instanceof DeploymentPhaseChanged changed) {
            long now = System.nanoTime();
            PhaseClock previous = phases.put(changed.deploymentId(), new PhaseClock(changed.phase(), now));
            // a deployment's first event leaves PREPARING, which is entered without one
            DeploymentPhase left = previous != null ? previous.phase()
                    : changed.phase() == DeploymentPhase.CREATING_GREEN ? DeploymentPhase.PREPARING : null;
            if (left != null && left != changed.phase() && changed.previousPhaseMillis() != null) {
                phase(left, Duration.ofMillis(changed.previousPhaseMillis()));
            }
        } else if (event instanceof DeploymentFinished finished) {
            PhaseClock last = phases.remove(finished.deploymentId());
            if (last != null) {
                phase(last.phase(), Duration.ofNanos(System.nanoTime() - last.sinceNanos()));
            }
            Counter.builder("deployer.deployments.finished").description("deployments that ended, by status")
                    .tag("status", finished.status().name()).register(registry).increment();
            Timer.builder("deployer.deployment.duration").description("time from start to end of a deployment")
                    .tag("status", finished.status().name()).publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(finished.durationMillis()));
        }
    }

    /** Counts a record that the broker did not take. */
    public void notSent(String topic) {
        Counter.builder("deployer.events.not.sent").description("records the broker did not take after the producer's retries")
                .tag("topic", topic).register(registry).increment();
    }

    private void phase(DeploymentPhase phase, Duration took) {
        Timer.builder("deployer.phase.duration").description("time spent in a phase of a deployment")
                .tag("phase", phase.name()).publishPercentileHistogram().register(registry).record(took);
    }
}
