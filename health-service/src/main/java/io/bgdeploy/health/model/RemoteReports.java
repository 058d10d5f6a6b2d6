package io.bgdeploy.health.model;

import io.bgdeploy.events.health.AppHealthReport;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest report of every app from the other instances, as read from {@code health-reports}:
 * a newer report of an app replaces the older one, whoever sent it; a report with nothing in it
 * (no pod, no alert, no version that should serve) says the app is gone. Thread-safe.
 */
public final class RemoteReports {

    private record Received(AppHealthReport report, Instant at) {
    }

    private final String self;
    private final Map<String, Received> reports = new HashMap<>();
    private final AtomicLong revision = new AtomicLong();

    /** @param self this instance: its own reports, read back from the topic, are not kept */
    public RemoteReports(InstanceName self) {
        this.self = self.value();
    }

    public synchronized void received(AppHealthReport report, Instant at) {
        if (report.reporter().equals(self)) {
            return;
        }
        Received before = reports.get(report.key());
        if (before != null && before.report().reportedAt().isAfter(report.reportedAt())) {
            return;
        }
        if (report.versions().isEmpty() && report.alerts().isEmpty() && report.servingVersion() == null) {
            if (reports.remove(report.key()) != null) {
                revision.incrementAndGet();
            }
            return;
        }
        reports.put(report.key(), new Received(report, at));
        revision.incrementAndGet();
    }

    public synchronized Optional<AppHealthReport> get(String appKey) {
        return Optional.ofNullable(reports.get(appKey)).map(Received::report);
    }

    /** Whether the app's last report came longer ago than {@code after} before {@code now}. */
    public synchronized boolean stale(String appKey, Instant now, Duration after) {
        Received r = reports.get(appKey);
        return r != null && r.at().plus(after).isBefore(now);
    }

    /** Forgets reports nobody has renewed for {@code after}: their app is gone or unowned for long. */
    public synchronized void expire(Instant now, Duration after) {
        if (reports.values().removeIf(r -> r.at().plus(after).isBefore(now))) {
            revision.incrementAndGet();
        }
    }

    public synchronized Set<String> appKeys() {
        return Set.copyOf(reports.keySet());
    }

    public long revision() {
        return revision.get();
    }
}
