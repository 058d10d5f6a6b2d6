package io.bgdeploy.health.datastore;

import io.bgdeploy.events.Names;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.DashboardSnapshot.DataStoreView;
import io.bgdeploy.health.model.DashboardState;
import io.bgdeploy.health.model.DataStoreCheck;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Checks the data stores that live outside the cluster on their intervals, without blocking:
 * a TCP connect or an HTTP GET, with latency and the last error, shown on the dashboard and in
 * the metrics ({@code health.datastore.up}, {@code health.datastore.latency}).
 */
@ApplicationScoped
public class DataStoreMonitor {

    private static final Logger LOG = Logger.getLogger(DataStoreMonitor.class);

    private final Vertx vertx;
    private final DashboardState dashboard;
    private final MeterRegistry registry;
    private final Clock clock;
    private final List<DataStoreCheck> checks;
    private final Map<String, DataStoreView> last = new ConcurrentHashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private NetClient net;
    private HttpClient http;

    @Inject
    public DataStoreMonitor(Vertx vertx, HealthConfig config, DashboardState dashboard, MeterRegistry registry,
                            Clock clock) {
        this(vertx, checks(config), dashboard, registry, clock);
    }

    public DataStoreMonitor(Vertx vertx, List<DataStoreCheck> checks, DashboardState dashboard,
                            MeterRegistry registry, Clock clock) {
        this.vertx = vertx;
        this.dashboard = dashboard;
        this.registry = registry;
        this.clock = clock;
        this.checks = List.copyOf(checks);
    }

    /** The configured checks, validated; a wrong entry stops the service with a message naming it. */
    static List<DataStoreCheck> checks(HealthConfig config) {
        return config.datastores().entrySet().stream().map(e -> {
            HealthConfig.DataStore d = e.getValue();
            if (DataStoreCheck.TCP.equals(d.type())) {
                return DataStoreCheck.tcp(e.getKey(), d.address().orElse(null), d.interval(), d.timeout());
            }
            if (DataStoreCheck.HTTP.equals(d.type())) {
                return DataStoreCheck.http(e.getKey(), d.url().orElse(null), d.interval(), d.timeout());
            }
            throw new IllegalArgumentException("health.datastores.\"" + Names.printable(e.getKey()) + "\".type '"
                    + Names.printable(d.type()) + "' is unknown: use tcp or http");
        }).toList();
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    public void start() {
        if (checks.isEmpty()) {
            return;
        }
        int connectTimeout = (int) checks.stream().mapToLong(c -> c.timeout().toMillis()).max().orElse(2000);
        net = vertx.createNetClient(new NetClientOptions().setReconnectAttempts(0).setConnectTimeout(connectTimeout));
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        for (DataStoreCheck check : checks) {
            DataStoreView initial = new DataStoreView(check.name(), check.type(), check.target(), null, null, null, null, null);
            last.put(check.name(), initial);
            dashboard.dataStore(initial);
            Gauge.builder("health.datastore.up", last, m -> Boolean.TRUE.equals(m.get(check.name()).up()) ? 1 : 0)
                    .tag("datastore", check.name()).description("1 when the data store's last check passed")
                    .register(registry);
            run(check);
            synchronized (timers) {
                timers.add(vertx.setPeriodic(check.interval().toMillis(), id -> run(check)));
            }
            LOG.infof("checking data store %s (%s %s) every %s", check.name(), check.type(), check.target(),
                    check.interval());
        }
    }

    private void run(DataStoreCheck check) {
        Instant at = clock.instant();
        long started = System.nanoTime();
        Future<Void> attempt = DataStoreCheck.TCP.equals(check.type()) ? connect(check) : get(check);
        attempt.timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS).onComplete(done -> {
            long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            DataStoreView previous = last.get(check.name());
            DataStoreView next;
            if (done.succeeded()) {
                next = new DataStoreView(check.name(), check.type(), check.target(), true, latency, at,
                        previous.lastError(), previous.lastErrorAt());
            } else {
                String error = reason(done.cause(), check);
                if (!Boolean.FALSE.equals(previous.up())) {
                    LOG.warnf("data store %s (%s) is down: %s", check.name(), check.target(), error);
                }
                next = new DataStoreView(check.name(), check.type(), check.target(), false, latency, at, error, at);
            }
            if (Boolean.FALSE.equals(previous.up()) && Boolean.TRUE.equals(next.up())) {
                LOG.infof("data store %s (%s) is up again", check.name(), check.target());
            }
            last.put(check.name(), next);
            dashboard.dataStore(next);
            Timer.builder("health.datastore.latency").tag("datastore", check.name())
                    .description("Time of a data store check").register(registry).record(Duration.ofMillis(latency));
        });
    }

    private Future<Void> connect(DataStoreCheck check) {
        return net.connect(check.port(), check.host()).compose(socket -> socket.close());
    }

    private Future<Void> get(DataStoreCheck check) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(check.host())
                .setPort(check.port()).setURI(check.path()).setConnectTimeout(check.timeout().toMillis());
        return http.request(options).compose(req -> req.send()).compose(resp -> {
            int status = resp.statusCode();
            return resp.body().compose(body -> status >= 200 && status <= 299
                    ? Future.succeededFuture()
                    : Future.failedFuture("HTTP status " + status + " is not 2xx"));
        });
    }

    private static String reason(Throwable e, DataStoreCheck check) {
        if (e instanceof java.util.concurrent.TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + check.timeout().toMillis() + " ms";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : Names.printable(message);
    }

    public Map<String, DataStoreView> status() {
        return Map.copyOf(last);
    }

    @PreDestroy
    public void stop() {
        synchronized (timers) {
            timers.forEach(vertx::cancelTimer);
        }
        if (net != null) {
            net.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
