package io.bgdeploy.infra.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.infra.DeployEventsFollower;
import io.bgdeploy.infra.DeployerClient;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.SampleAppDescriptor;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.Wrk;
import io.bgdeploy.infra.bench.DeploymentTimingsReader.SeenByClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bin/bench-deployments}: against a running local run ({@code bin/run}), deploys the sample app
 * (2 replicas) N times in a row with no client load (the deployer's own overhead, nothing competing for
 * the cores), then N times while wrk sends as many keep-alive requests as it can through HAProxy, then
 * N times with {@code Connection: close} clients. Prints per series what wrk counted (never
 * retried), the HAProxy masters' reload counters before and after (from both agents' {@code /status}),
 * and the deployer's overhead per deployment: total (request sent to {@code DeploymentFinished} heard)
 * minus slowest pod to READY minus the drain delay.
 * Baseline in the same run: the first deployment, which adds the app to HAProxy (a structural reload).
 * Before the measured series, W deployments with no clients warm the services up (the JIT compiles a
 * deployment's code paths only after it has run them some dozens of times); their figures are printed
 * as a row of their own, so what the first deployments after a start cost stays visible.
 */
public final class DeploymentsBenchmark {

    private static final PrintStream OUT = System.out;
    private static final String NAMESPACE = "default";
    private static final String APP = "bench-deployments";
    private static final String HOST = "bench-deployments.localhost";
    private static final int REPLICAS = 2;
    private static final int WRK_THREADS = 2;
    private static final int WRK_CONNECTIONS = 16;
    private static final Duration DEPLOYMENT_DEADLINE = Duration.ofMinutes(3);
    private static final Duration TOPICS_DEADLINE = Duration.ofMinutes(2);
    private static final Duration DEPLOYER_DEFAULT_DRAIN_DELAY = Duration.ofSeconds(10);
    private static final int DEFAULT_WARM_UP = 10;

    private final Suite.Options options;
    private final Path root;
    private final DeployerClient deployer;
    private final HttpClient http = HttpClients.http11(Duration.ofSeconds(2));

    private DeploymentsBenchmark(Path root, Suite.Options options, String token) {
        this.root = root;
        this.options = options;
        this.deployer = new DeployerClient("http://127.0.0.1:" + options.servicePorts().get(Suite.DEPLOYER), token);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 3 || List.of(args).contains("--help")) {
            OUT.println("usage: bin/bench-deployments [deployments per series, default 50] [drain delay of the deployer,"
                    + " ISO-8601 or seconds, default 10 (deployer.drain-delay's default, what bin/run uses)]"
                    + " [warm-up deployments with no clients before the series, shown as a row of their own, default "
                    + DEFAULT_WARM_UP + "]");
            System.exit(args.length > 3 ? 2 : 0);
        }
        int count = args.length > 0 ? atLeast(1, args[0], "deployments per series") : 50;
        Duration drainDelay = args.length > 1 ? drainDelay(args[1]) : DEPLOYER_DEFAULT_DRAIN_DELAY;
        int warmUp = args.length > 2 ? atLeast(0, args[2], "warm-up deployments") : DEFAULT_WARM_UP;
        Path root = Path.of("").toAbsolutePath();
        Suite.Options options = Suite.Options.defaults(root, root.resolve(".suite"));
        Path tokenFile = options.workDir().resolve("api-token");
        if (!Files.isReadable(tokenFile)) {
            System.err.println("No API token at " + tokenFile + ": start the local run first ('bin/run --no-demo'), then run this again.");
            System.exit(1);
        }
        new DeploymentsBenchmark(root, options, Files.readString(tokenFile).trim()).run(count, drainDelay, warmUp);
    }

    private void run(int count, Duration drainDelay, int warmUp) throws IOException {
        OUT.printf("Deploying %s (sample app, %d replicas, behind %s) %d times to warm up, %d times with no clients, %d times"
                + " under keep-alive load, then %d times with 'Connection: close' clients; wrk -t%d -c%d through HAProxy on"
                + " 127.0.0.1:%d; drain delay %s%n", APP, REPLICAS, HOST, warmUp, count, count, count, WRK_THREADS,
                WRK_CONNECTIONS, options.lbPublicPort(), drainDelay);
        String descriptorId = deployer.createDescriptor(NAMESPACE,
                SampleAppDescriptor.json(root, NAMESPACE, APP, HOST, REPLICAS, Map.of()));
        int reloadsBefore = haproxyReloads();
        DeploymentFinished first = deploy(descriptorId).finished();
        OUT.printf("%nBaseline: the first deployment (%s, version %s, %s in %,d ms) took %d HAProxy reload(s)"
                        + " (adding an app is structural; a later version of it is not)%n",
                first.deploymentId(), first.version(), first.status(), first.durationMillis(), haproxyReloads() - reloadsBefore);
        if (first.status() != DeploymentStatus.DEPLOYED) {
            throw new IllegalStateException("the first deployment ended " + first.status() + ": " + first.reason());
        }
        List<String> report = new ArrayList<>();
        for (Load load : Load.values()) {
            int deployments = load == Load.WARM_UP ? warmUp : count;
            if (deployments > 0) {
                report.add(series(descriptorId, deployments, load, drainDelay));
            }
        }
        OUT.println();
        OUT.println("| clients | deployments (not DEPLOYED) | requests | req/s | failed (connect/read/write/timeout) | non-2xx |"
                + " HAProxy reloads | total p50 / p99 ms | slowest pod to READY p50 / p99 ms | deployer overhead p50 / p99 / max ms |");
        OUT.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        report.forEach(OUT::println);
    }

    /** The client load a series runs under. */
    private enum Load {
        WARM_UP("warm-up, no clients"), NONE("no clients"), KEEP_ALIVE("keep-alive"), CLOSE("Connection: close");

        final String clients;

        Load(String clients) {
            this.clients = clients;
        }

        boolean withWrk() {
            return this == KEEP_ALIVE || this == CLOSE;
        }
    }

    private String series(String descriptorId, int count, Load load, Duration drainDelay) throws IOException {
        OUT.printf("%n%s: %d deployments%s%n", load.clients, count, load.withWrk() ? " under wrk" : "");
        Map<String, SeenByClient> totals = new LinkedHashMap<>();
        int reloadsBefore = haproxyReloads();
        Wrk.Result requests = null;
        if (!load.withWrk()) {
            deploySeries(descriptorId, count, totals);
        } else {
            Path output = Files.createTempFile("bench-deployments-wrk-", ".txt");
            try (Wrk wrk = Wrk.start(options.lbPublicPort(), HOST, WRK_THREADS, WRK_CONNECTIONS, load == Load.KEEP_ALIVE,
                    output)) {
                deploySeries(descriptorId, count, totals);
                requests = wrk.stop();
            } finally {
                Files.deleteIfExists(output);
            }
        }
        int reloads = haproxyReloads() - reloadsBefore;
        List<DeploymentTiming> timings = new DeploymentTimingsReader(kafkaBootstrap()).read(totals, drainDelay, TOPICS_DEADLINE);
        OverheadFigures figures = OverheadFigures.of(timings, drainDelay);
        if (requests != null) {
            OUT.printf("  wrk                %s%n", requests);
        }
        OUT.printf("  HAProxy reloads    %d (both masters' counters added up: %d -> %d)%n", reloads, reloadsBefore, reloadsBefore + reloads);
        OUT.printf("  not DEPLOYED       %d of %d%n", figures.notDeployed(), figures.deployments());
        OUT.printf("  total ms           %s  (request sent to DeploymentFinished heard)%n", figures.total());
        OUT.printf("  slowest pod ms     %s  (PodStarted to first READY)%n", figures.slowestPod());
        OUT.printf("  drain ms           %s  (DRAINING phase)%n", figures.drained());
        figures.drainMismatch(drainDelay).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        OUT.printf("  overhead ms        %s  (total - slowest pod - drain delay %d ms)%n", figures.overhead(), drainDelay.toMillis());
        OUT.printf("  each, in order     %s%n", timings.stream().map(t -> String.format("%,d", t.overheadMillis(drainDelay)))
                .collect(Collectors.joining(" ")));
        OUT.printf("  where it goes ms   (from the client's and the events' times; each command's record -> answer lies"
                + " within its phase; the rest add up to the overhead but for the slowest pod's start to READY)%n");
        figures.hops().forEach((hop, p) -> OUT.printf("    %-40s %s%n", hop, p));
        String wrkColumns = requests == null ? "- | - | - | -" : String.format("%,d | %,.0f | %d (%d/%d/%d/%d) | %,d",
                requests.requests(), requests.requestsPerSecond(), requests.failed(), requests.connectErrors(),
                requests.readErrors(), requests.writeErrors(), requests.timeouts(), requests.non2xx());
        return String.format("| %s | %d (%d) | %s | %d | %,d / %,d | %,d / %,d | %,d / %,d / %,d |",
                load.clients, figures.deployments(), figures.notDeployed(), wrkColumns, reloads,
                figures.total().p50(), figures.total().p99(), figures.slowestPod().p50(), figures.slowestPod().p99(),
                figures.overhead().p50(), figures.overhead().p99(), figures.overhead().max());
    }

    /** Runs the deployments one after the other; {@code totals} gets each one as the client saw it. */
    private void deploySeries(String descriptorId, int count, Map<String, SeenByClient> totals) {
        for (int i = 1; i <= count; i++) {
            Deployed d = deploy(descriptorId);
            DeploymentFinished f = d.finished();
            totals.put(f.deploymentId(), new SeenByClient(d.sent(), d.seenByClientMillis()));
            OUT.printf("  %3d/%d  %s version %-4s %s in %,d ms (request answered in %,d ms, the deployer's run %,d ms)%s%n",
                    i, count, f.deploymentId(), f.version(), f.status(), d.seenByClientMillis(), d.answeredMillis(),
                    f.durationMillis(), f.reason() == null ? "" : ": " + f.reason());
        }
    }

    /**
     * A deployment's end, and its total as a CI job sees it: from sending the request to hearing
     * {@code DeploymentFinished}. The deployer's own duration starts only when its run does, after
     * the request was accepted and the app's run lock taken.
     */
    private record Deployed(DeploymentFinished finished, Instant sent, long answeredMillis, long seenByClientMillis) {
    }

    private Deployed deploy(String descriptorId) {
        try (DeployEventsFollower follower = new DeployEventsFollower(kafkaBootstrap())) {
            Instant sentAt = Instant.now();
            long sent = System.nanoTime();
            String id = deployer.deploy(NAMESPACE, descriptorId);
            long answered = System.nanoTime();
            DeploymentFinished f = follower.follow(id, new PrintStream(PrintStream.nullOutputStream()), DEPLOYMENT_DEADLINE);
            return new Deployed(f, sentAt, TimeUnit.NANOSECONDS.toMillis(answered - sent),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
        }
    }

    private String kafkaBootstrap() {
        return "127.0.0.1:" + options.kafkaPort();
    }

    /**
     * The reload counters of the local run's HAProxy masters added up: each agent reports its own
     * master's on {@code GET /status}, and a reload of either HAProxy counts.
     */
    private int haproxyReloads() {
        int reloads = 0;
        for (String agent : Suite.AGENTS) {
            reloads += haproxyReloads(URI.create("http://127.0.0.1:" + options.servicePorts().get(agent) + "/status"));
        }
        return reloads;
    }

    private int haproxyReloads(URI status) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = EventCodec.mapper().readTree(r.body());
            if (r.statusCode() != 200 || !body.path("haproxyReloads").isInt()) {
                throw new IllegalStateException(status + " answered " + r.statusCode() + ": " + r.body());
            }
            return body.get("haproxyReloads").asInt();
        } catch (IOException e) {
            throw new IllegalStateException("lb-agent at " + status + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The argument as a whole number of at least {@code min}; otherwise says what was wrong and exits. */
    private static int atLeast(int min, String text, String what) {
        try {
            int n = Integer.parseInt(text);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        System.err.println(what + " must be a whole number, " + min + " or above, not '" + text + "'");
        System.exit(2);
        return 0;
    }

    private static Duration drainDelay(String text) {
        try {
            return text.startsWith("P") || text.startsWith("p") ? Duration.parse(text) : Duration.ofSeconds(Long.parseLong(text));
        } catch (RuntimeException e) {
            System.err.println("drain delay must be seconds (10) or ISO-8601 (PT10S), not '" + text + "'");
            System.exit(2);
            return Duration.ZERO;
        }
    }
}
