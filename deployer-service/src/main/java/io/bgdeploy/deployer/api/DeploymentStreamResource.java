package io.bgdeploy.deployer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.LogLine;
import io.bgdeploy.deployer.model.LogTail;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deployment as it happens, as Server-Sent Events: its state (status and phase) whenever it
 * changes, every new line of its log and every pod health transition. The stream follows the
 * stored deployment (whichever instance runs it) and ends with an {@code end} event once the
 * deployment has finished. Each event's data is JSON with a {@code kind}: {@code deployment},
 * {@code log}, {@code health} or {@code end}. A log event carries its line's {@code key}: a line
 * whose write was confirmed late arrives after lines written after it, and the key says where it
 * belongs (keys sort as the lines were written). All streams of one deployment share one poll of
 * the store ({@link FollowedDeployments}). It needs a token of the namespace in the
 * {@code Authorization} header (the log can name secrets): a browser reads it with {@code fetch},
 * since {@code EventSource} cannot send headers, and a token never goes into the URL.
 */
@Singleton
@Path("/deployments/{id}/stream")
@Tag(name = "deployments")
public class DeploymentStreamResource {

    private static final Logger LOG = Logger.getLogger(DeploymentStreamResource.class);
    private static final long POLL_MILLIS = 250;

    private final DeploymentStore store;
    private final Auth auth;
    private final FollowedDeployments followed;

    public DeploymentStreamResource(DeploymentStore store, RequestIntake intake, Auth auth) {
        this.store = store;
        this.auth = auth;
        this.followed = new FollowedDeployments(store, intake::isRunningHere, POLL_MILLIS);
    }

    @PreDestroy
    void stop() {
        followed.close();
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(summary = "Follow a deployment live (Server-Sent Events)", description = "Events with JSON data:"
            + " kind=deployment (status, phase), kind=log (a new log line and its key, which orders the lines),"
            + " kind=health (a pod's health), kind=end."
            + " Needs a token of the namespace in the Authorization header, as every read of it")
    public Multi<OutboundSseEvent> stream(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                                          @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                          @Context Sse sse) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        if (store.find(ns, id).isEmpty()) {
            throw ApiError.exception(Response.Status.NOT_FOUND, "no deployment " + Names.printable(id) + " in namespace " + ns);
        }
        return Multi.createFrom().emitter(emitter -> {
            AutoCloseable following = followed.follow(ns, id, new Follower(sse, emitter));
            emitter.onTermination(() -> {
                try {
                    following.close();
                } catch (Exception e) {
                    LOG.debugf("stream of deployment %s: %s", id, e.getMessage());
                }
            });
        });
    }

    /** The state one stream has sent so far; each view sends only what changed. */
    private static final class Follower implements FollowedDeployments.Viewer {
        private final Sse sse;
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private String lastState;
        private final LogTail log = new LogTail();
        private final Map<String, String> health = new HashMap<>();
        private boolean finishing;

        Follower(Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
            this.sse = sse;
            this.emitter = emitter;
        }

        @Override
        public synchronized void show(FollowedDeployments.View view) {
            if (emitter.isCancelled()) {
                return;
            }
            var found = view.deployment();
            if (found.isEmpty()) {
                send(Map.of("kind", "end", "reason", "the deployment was deleted"));
                emitter.complete();
                return;
            }
            Deployment d = found.get();
            String state = d.status() + "/" + d.phase() + "/" + d.reason();
            if (!state.equals(lastState)) {
                lastState = state;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", "deployment");
                m.put("id", d.id());
                m.put("appName", d.appName());
                m.put("version", d.version());
                m.put("status", d.status());
                m.put("phase", d.phase());
                m.put("blueVersion", d.blueVersion());
                m.put("reason", d.reason());
                m.put("requestedBy", d.requestedBy());
                m.put("created", d.created());
                m.put("lastModified", d.lastModified());
                send(m);
            }
            for (LogLine line : log.unsent(view.log())) {
                send(Map.of("kind", "log", "key", line.key(), "line", line.text()));
            }
            for (PodHealthRecord h : view.health()) {
                String seen = h.state() + "/" + h.updated();
                if (!seen.equals(health.put(h.pod(), seen))) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("kind", "health");
                    m.put("pod", h.pod());
                    m.put("state", h.state());
                    m.put("lastProbe", h.lastProbe());
                    m.put("updated", h.updated());
                    send(m);
                }
            }
            boolean finished = d.status() != DeploymentStatus.DEPLOYING && d.status() != DeploymentStatus.UNDEPLOYING
                    && !view.runningHere();
            if (finished && finishing) {
                send(Map.of("kind", "end", "status", d.status()));
                emitter.complete();
            } else {
                // one more view after the end, for the log lines written after the final state
                finishing = finished;
            }
        }

        private void send(Object data) {
            try {
                emitter.emit(sse.newEventBuilder().mediaType(MediaType.TEXT_PLAIN_TYPE)
                        .data(EventCodec.mapper().writeValueAsString(data)).build());
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
