package io.bgdeploy.health.model;

import io.bgdeploy.events.health.AppHealthReport.LatencySeries;
import io.bgdeploy.events.health.AppHealthReport.Series;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: buckets of a sliding window, filled and read at chosen times. */
class TimeBucketsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void eachBucketKeepsItsSlowestProbeAndItsFailuresOldestFirst() {
        TimeBuckets b = new TimeBuckets(Duration.ofSeconds(60), Duration.ofSeconds(10));
        b.add(T0.plusSeconds(1), 12, false);
        b.add(T0.plusSeconds(9), 30, true);
        b.add(T0.plusSeconds(25), 7, false);
        LatencySeries s = b.latency(T0.plusSeconds(55));
        assertThat(s.start()).isEqualTo(T0);
        assertThat(s.bucketMillis()).isEqualTo(10_000);
        assertThat(s.maxMillis()).containsExactly(30L, null, 7L, null, null, null);
        assertThat(s.failures()).containsExactly(1, 0, 0, 0, 0, 0);
    }

    @Test
    void bucketsThatLeftTheWindowAreForgottenAndReused() {
        TimeBuckets b = new TimeBuckets(Duration.ofSeconds(30), Duration.ofSeconds(10));
        b.add(T0, 100, true);
        b.add(T0.plusSeconds(35), 5, false);
        LatencySeries s = b.latency(T0.plusSeconds(35));
        assertThat(s.start()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.maxMillis()).containsExactly(null, null, 5L);
        assertThat(s.failures()).containsExactly(0, 0, 0);
        b.add(T0.plusSeconds(2), 999, false);
        assertThat(b.latency(T0.plusSeconds(35)).maxMillis()).as("a value older than the window is ignored")
                .containsExactly(null, null, 5L);
    }

    @Test
    void countsAddUpPerBucketAndInTotal() {
        TimeBuckets b = new TimeBuckets(Duration.ofMinutes(5), Duration.ofMinutes(1));
        b.count(T0.plusSeconds(10), 1);
        b.count(T0.plusSeconds(50), 2);
        b.count(T0.plusSeconds(190), 1);
        Series s = b.counts(T0.plusSeconds(200));
        assertThat(s.start()).as("the five minutes that end with the current one").isEqualTo(T0.minusSeconds(60));
        assertThat(s.counts()).containsExactly(0, 3, 0, 0, 1);
        assertThat(b.total(T0.plusSeconds(200))).isEqualTo(4);
        assertThat(b.total(T0.plusSeconds(330))).as("the first minute left the window").isEqualTo(1);
        int[] later = b.counts(T0.plusSeconds(3600)).counts().stream().mapToInt(Integer::intValue).toArray();
        assertThat(Arrays.stream(later).sum()).isZero();
    }
}
