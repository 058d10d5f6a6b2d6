package io.bgdeploy.infra.bench;

import io.bgdeploy.events.deploy.DeploymentStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Percentiles (nearest rank) over a series of deployments: the total time, the slowest pod's time
 * to ready, the DRAINING phase and the deployer's overhead ({@link DeploymentTiming#overheadMillis}); and
 * each hop of the overhead ({@link DeploymentMilestones#hops}) over the deployments that made it, in
 * the order they make them.
 */
public record OverheadFigures(int deployments, long notDeployed, Percentiles total, Percentiles slowestPod,
                              Percentiles drained, Percentiles overhead, Map<String, Percentiles> hops) {

    /** How far the drain the deployer kept may be from the drain delay the overhead subtracts. */
    static final Duration DRAIN_TOLERANCE = Duration.ofSeconds(1);

    /** p50, p99 and the maximum of a series, in milliseconds. */
    public record Percentiles(long p50, long p99, long max) {

        static Percentiles of(long[] values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("no values: percentiles need at least one deployment");
            }
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Percentiles(nearestRank(sorted, 50), nearestRank(sorted, 99), sorted[sorted.length - 1]);
        }

        /** The smallest value that at least {@code percent} % of the values are at or below. */
        static long nearestRank(long[] sorted, int percent) {
            int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }

        @Override
        public String toString() {
            return String.format("p50 %,d  p99 %,d  max %,d", p50, p99, max);
        }
    }

    public static OverheadFigures of(List<DeploymentTiming> timings, Duration drainDelay) {
        return new OverheadFigures(timings.size(),
                timings.stream().filter(t -> t.status() != DeploymentStatus.DEPLOYED).count(),
                percentiles(timings, DeploymentTiming::totalMillis),
                percentiles(timings, DeploymentTiming::slowestPodReadyMillis),
                percentiles(timings, DeploymentTiming::drainedMillis),
                percentiles(timings, t -> t.overheadMillis(drainDelay)), hops(timings));
    }

    private static Map<String, Percentiles> hops(List<DeploymentTiming> timings) {
        Map<String, List<Long>> byHop = new LinkedHashMap<>();
        timings.forEach(t -> t.hops().forEach((hop, millis) -> byHop.computeIfAbsent(hop, h -> new ArrayList<>()).add(millis)));
        Map<String, Percentiles> hops = new LinkedHashMap<>();
        byHop.forEach((hop, values) -> hops.put(hop, Percentiles.of(values.stream().mapToLong(Long::longValue).toArray())));
        return hops;
    }

    /**
     * Why the overhead would be wrong, if it would: the deployer drained for a median time further
     * than {@link #DRAIN_TOLERANCE} from {@code drainDelay} (the benchmark was given another drain
     * delay than the deployer's, so drain time would be counted as overhead or overhead as drain).
     */
    public Optional<String> drainMismatch(Duration drainDelay) {
        if (Math.abs(drained.p50() - drainDelay.toMillis()) <= DRAIN_TOLERANCE.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(String.format("the deployer kept blue for %,d ms (DRAINING phase, p50) but the drain delay"
                + " given is %,d ms: give the deployer's drain delay (deployer.drain-delay, 10 s unless set; for the local"
                + " run DEPLOYER_DRAIN_DELAY=2s bin/run --no-demo sets 2 s)", drained.p50(), drainDelay.toMillis()));
    }

    private static Percentiles percentiles(List<DeploymentTiming> timings, ToLongFunction<DeploymentTiming> value) {
        return Percentiles.of(timings.stream().mapToLong(value).toArray());
    }
}
