package io.bgdeploy.health.dashboard;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.DashboardSnapshot;
import io.bgdeploy.health.model.DashboardView;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.Optional;

/**
 * The dashboard's data, the same whichever instance answers:
 * <ul>
 *   <li>{@code GET /api/dashboard}: the overview (apps as version tiles with counts, restarts over
 *   time, alerts, nodes, data stores); {@code /api/dashboard/stream} pushes it as Server-Sent Events,
 *   at once and then each time something changed, at most once per push interval;</li>
 *   <li>{@code GET /api/dashboard/apps/{namespace}/{app}}: one app with every pod, its last probe,
 *   latency sparkline and restarts; {@code .../stream} pushes it the same way.</li>
 * </ul>
 */
@Path("/api/dashboard")
public class DashboardResource {

    private final DashboardView view;
    private final Duration pushInterval;

    public DashboardResource(DashboardView view, HealthConfig config) {
        this.view = view;
        this.pushInterval = config.dashboard().pushInterval();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public DashboardSnapshot overview() {
        return view.overview();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<DashboardSnapshot> overviewStream() {
        return changes().map(revision -> view.overview());
    }

    @GET
    @Path("/apps/{namespace}/{app}")
    @Produces(MediaType.APPLICATION_JSON)
    public AppHealthReport app(@PathParam("namespace") String namespace, @PathParam("app") String app) {
        String key = appKey(namespace, app);
        return view.app(key).orElseThrow(() -> new NotFoundException("no app " + key + " on the dashboard"));
    }

    @GET
    @Path("/apps/{namespace}/{app}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<AppHealthReport> appStream(@PathParam("namespace") String namespace, @PathParam("app") String app) {
        String key = appKey(namespace, app);
        view.app(key).orElseThrow(() -> new NotFoundException("no app " + key + " on the dashboard"));
        return changes().map(revision -> view.app(key)).filter(Optional::isPresent).map(Optional::get);
    }

    /** The picture's revision at once, then whenever it changed, at most once per push interval. */
    private Multi<Long> changes() {
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(pushInterval)
                .onOverflow().drop()
                .map(tick -> view.revision())
                .skip().repetitions();
    }

    private static String appKey(String namespace, String app) {
        if (!Names.isNamespace(namespace) || !Names.isAppName(app)) {
            throw new NotFoundException("no app " + Names.printable(namespace) + "/" + Names.printable(app));
        }
        return Keys.app(namespace, app);
    }
}
