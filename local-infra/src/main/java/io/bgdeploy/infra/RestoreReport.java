package io.bgdeploy.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a started suite serves again of what it served before it was stopped: every host name the
 * load balancer has a frontend for, and how long after the services were ready each one answered
 * 2xx through HAProxy (the deployer starts the pods of the versions that serve again, and the
 * backends follow them).
 */
public final class RestoreReport {

    private static final HttpClient HTTP = HttpClients.http11(Duration.ofSeconds(2));
    private static final Duration POLL = Duration.ofMillis(200);

    /** Seconds until each host name answered 2xx; a host that did not within the limit is absent. */
    public record Result(Map<String, Double> servedAfterSeconds, List<String> hosts, long restoredWorkloads) {
    }

    private RestoreReport() {
    }

    /**
     * Waits (at most {@code limit}) until every frontend of the load balancer serves, printing each
     * as it does; call it right after the suite's services are ready.
     */
    public static Result await(Suite suite, Duration limit, PrintStream out) throws InterruptedException {
        long readyAt = System.nanoTime();
        long deadline = readyAt + limit.toNanos();
        List<String> hosts = frontends(suite, deadline);
        Map<String, Double> served = new LinkedHashMap<>();
        if (hosts.isEmpty()) {
            return new Result(served, hosts, 0);
        }
        out.printf("Restoring what served before: %d host name(s) behind HAProxy: %s%n", hosts.size(), hosts);
        Map<String, String> lastProblem = new LinkedHashMap<>();
        while (served.size() < hosts.size() && System.nanoTime() < deadline) {
            for (String host : hosts) {
                if (served.containsKey(host)) {
                    continue;
                }
                try {
                    TrafficGenerator.get(suite.options().lbPublicPort(), host, "/");
                    double seconds = (System.nanoTime() - readyAt) / 1e9;
                    served.put(host, seconds);
                    out.printf("  %-28s serves again %.1f s after the services were ready%n", host, seconds);
                } catch (IOException | RuntimeException e) {
                    lastProblem.put(host, e.getMessage());
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        for (String host : hosts) {
            if (!served.containsKey(host)) {
                out.printf("  %-28s does not serve yet after %d s: %s%n", host, limit.toSeconds(), lastProblem.get(host));
            }
        }
        long restored = restoredWorkloads(suite);
        out.printf("  %d of %d served again; the deployer started the pods of %d workload(s) again%n", served.size(),
                hosts.size(), restored);
        return new Result(served, hosts, restored);
    }

    /**
     * The host names lb-config-service routes, asked again until it answers or the deadline passes:
     * a service that has just become ready can take longer than one request's timeout to answer its
     * first request on a loaded machine.
     */
    private static List<String> frontends(Suite suite, long deadline) throws InterruptedException {
        while (true) {
            try {
                return frontends(suite);
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw notYet;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    private static List<String> frontends(Suite suite) {
        List<String> hosts = new ArrayList<>();
        for (JsonNode f : json(suite.service(Suite.LB_CONFIG).url("/frontends")).path("frontends")) {
            hosts.add(f.path("hostname").asText());
        }
        return hosts;
    }

    /** The deployer's count of workloads whose pods it started again (its metric). */
    private static long restoredWorkloads(Suite suite) {
        String metrics = text(suite.service(Suite.DEPLOYER).url("/q/metrics"));
        for (String line : metrics.split("\n")) {
            if (line.startsWith("deployer_restored_workloads_total ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        return 0;
    }

    private static JsonNode json(String url) {
        try {
            return EventCodec.mapper().readTree(text(url));
        } catch (IOException e) {
            throw new IllegalStateException(url + " did not answer JSON: " + e.getMessage(), e);
        }
    }

    private static String text(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(url + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
