package io.bgdeploy.events.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.events.pod.ServingAlert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the health-service instance that probes an app knows of it: every version and pod with its
 * health, recent probe latencies and restarts, and the app's alerts. Each instance publishes the
 * apps it probes and reads every report, so every instance's dashboard shows every app.
 *
 * @param reporter       the instance that probes the app
 * @param servingVersion the version the app's last deployment made serve, if known
 * @param alerts         serving alerts raised now
 * @param restartAlerts  recent restart alerts, newest first
 * @param restarts       the app's restarts over time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppHealthReport(String reporter, Instant reportedAt, String namespace, String appName,
                              String servingVersion, List<VersionHealth> versions, List<ServingAlert> alerts,
                              List<RaisedRestartAlert> restartAlerts, Series restarts) implements EventData {

    public AppHealthReport {
        Names.requireText(reporter, "reporter");
        Names.requirePresent(reportedAt, "reportedAt");
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        versions = List.copyOf(Names.requirePresent(versions, "versions"));
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        restartAlerts = restartAlerts == null ? List.of() : List.copyOf(restartAlerts);
        Names.requirePresent(restarts, "restarts");
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }

    /** One version and its pods; {@code serving} counts the pods that serve. */
    public record VersionHealth(String version, int serving, List<PodHealth> pods) {
        public VersionHealth {
            Names.requireVersion(version);
            pods = List.copyOf(Names.requirePresent(pods, "pods"));
        }
    }

    /**
     * One pod. {@code health}: {@code starting} (no verdict yet), {@code ready}, {@code unhealthy},
     * {@code recovered}, {@code not ready} (a cluster pod whose containers are not ready) or
     * {@code no check} (no health check configured: it counts as serving while it runs).
     *
     * @param latency      the largest probe latency and the failed probes per time bucket
     * @param restartMarks when it restarted, within the latency window
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PodHealth(String podName, String deploymentId, String node, String address, String probeUrl,
                            String health, boolean serving, String phase, int restarts, String lastTerminationReason,
                            ProbeResult lastProbe, LatencySeries latency, List<Instant> restartMarks) {
        public PodHealth {
            Names.requireText(podName, "podName");
            Names.requireText(health, "health");
            restartMarks = restartMarks == null ? List.of() : List.copyOf(restartMarks);
        }
    }

    /**
     * Probe latencies in buckets of {@code bucketMillis} from {@code start}, oldest first:
     * {@code maxMillis} is the slowest probe of a bucket (absent: no probe), {@code failures} the
     * probes that failed in it.
     */
    public record LatencySeries(Instant start, long bucketMillis, List<Long> maxMillis, List<Integer> failures) {
        public LatencySeries {
            Names.requirePresent(start, "start");
            maxMillis = Collections.unmodifiableList(new ArrayList<>(Names.requirePresent(maxMillis, "maxMillis")));
            failures = List.copyOf(Names.requirePresent(failures, "failures"));
            if (bucketMillis < 1 || maxMillis.size() != failures.size()) {
                throw new IllegalArgumentException("bucketMillis must be positive and maxMillis as long as failures");
            }
        }
    }

    /** Counts per bucket of {@code bucketMillis} from {@code start}, oldest first. */
    public record Series(Instant start, long bucketMillis, List<Integer> counts) {
        public Series {
            Names.requirePresent(start, "start");
            counts = List.copyOf(Names.requirePresent(counts, "counts"));
            if (bucketMillis < 1) {
                throw new IllegalArgumentException("bucketMillis must be positive");
            }
        }
    }

    /** A restart alert of one of the app's pods, as raised. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RaisedRestartAlert(Instant raisedAt, String version, String pod, int restartsInWindow,
                                     long windowSeconds, int threshold, String reason) {
        public RaisedRestartAlert {
            Names.requirePresent(raisedAt, "raisedAt");
            Names.requireText(pod, "pod");
        }
    }
}
