package io.bgdeploy.health.model;

import io.bgdeploy.events.health.AppHealthReport.LatencySeries;
import io.bgdeploy.events.health.AppHealthReport.Series;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Values over a sliding window of fixed time buckets (aligned to multiples of the bucket length):
 * per bucket, how many were added, the largest and how many failed. Memory does not grow with the
 * values added: a bucket is reused once it has left the window. Not thread-safe.
 */
public final class TimeBuckets {

    private final long bucketMillis;
    private final int size;
    private final long[] ids;
    private final long[] max;
    private final int[] counts;
    private final int[] failures;

    public TimeBuckets(Duration window, Duration bucket) {
        this.bucketMillis = bucket.toMillis();
        if (bucketMillis < 1 || window.toMillis() < bucketMillis) {
            throw new IllegalArgumentException("a bucket must last at least 1 ms and fit in the window");
        }
        this.size = (int) Math.min(1000, window.toMillis() / bucketMillis);
        this.ids = new long[size];
        this.max = new long[size];
        this.counts = new int[size];
        this.failures = new int[size];
        Arrays.fill(ids, Long.MIN_VALUE);
    }

    /** One value (a probe's latency) at {@code at}; values older than the window are ignored. */
    public void add(Instant at, long value, boolean failed) {
        int i = slot(at);
        if (i < 0) {
            return;
        }
        max[i] = counts[i] == 0 ? value : Math.max(max[i], value);
        counts[i]++;
        if (failed) {
            failures[i]++;
        }
    }

    /** {@code n} occurrences (restarts) at {@code at}. */
    public void count(Instant at, int n) {
        int i = slot(at);
        if (i >= 0) {
            counts[i] += n;
        }
    }

    /** The largest value and the failures of each bucket of the window ending at {@code now}, oldest first. */
    public LatencySeries latency(Instant now) {
        long last = id(now);
        List<Long> maxima = new ArrayList<>(size);
        List<Integer> failed = new ArrayList<>(size);
        for (long id = last - size + 1; id <= last; id++) {
            int i = index(id);
            boolean has = ids[i] == id && counts[i] > 0;
            maxima.add(has ? max[i] : null);
            failed.add(ids[i] == id ? failures[i] : 0);
        }
        return new LatencySeries(start(last), bucketMillis, maxima, failed);
    }

    /** The count of each bucket of the window ending at {@code now}, oldest first. */
    public Series counts(Instant now) {
        long last = id(now);
        List<Integer> out = new ArrayList<>(size);
        for (long id = last - size + 1; id <= last; id++) {
            int i = index(id);
            out.add(ids[i] == id ? counts[i] : 0);
        }
        return new Series(start(last), bucketMillis, out);
    }

    /** The sum of the counts within the window ending at {@code now}. */
    public int total(Instant now) {
        return counts(now).counts().stream().mapToInt(Integer::intValue).sum();
    }

    private int slot(Instant at) {
        long id = id(at);
        int i = index(id);
        if (ids[i] == id) {
            return i;
        }
        if (ids[i] != Long.MIN_VALUE && ids[i] > id) {
            return -1;
        }
        ids[i] = id;
        max[i] = 0;
        counts[i] = 0;
        failures[i] = 0;
        return i;
    }

    private long id(Instant at) {
        return Math.floorDiv(at.toEpochMilli(), bucketMillis);
    }

    private int index(long id) {
        return (int) Math.floorMod(id, (long) size);
    }

    private Instant start(long lastId) {
        return Instant.ofEpochMilli((lastId - size + 1) * bucketMillis);
    }
}
