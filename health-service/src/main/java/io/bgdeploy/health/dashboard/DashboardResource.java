package io.bgdeploy.health.dashboard;

import io.bgdeploy.health.config.HealthConfig;
import io.bgdeploy.health.model.DashboardSnapshot;
import io.bgdeploy.health.model.DashboardState;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;

/**
 * The dashboard's data: {@code GET /api/dashboard} answers one snapshot;
 * {@code GET /api/dashboard/stream} is a Server-Sent Events stream that sends a snapshot at once
 * and then each time something changed, at most once per push interval.
 */
@Path("/api/dashboard")
public class DashboardResource {

    private final DashboardState state;
    private final Duration pushInterval;

    public DashboardResource(DashboardState state, HealthConfig config) {
        this.state = state;
        this.pushInterval = config.dashboard().pushInterval();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public DashboardSnapshot snapshot() {
        return state.snapshot();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<DashboardSnapshot> stream() {
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(pushInterval)
                .onOverflow().drop()
                .map(tick -> state.revision())
                .skip().repetitions()
                .map(revision -> state.snapshot());
    }
}
