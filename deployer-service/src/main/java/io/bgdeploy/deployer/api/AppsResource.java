package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.pod.PodHealthState;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Read-only views for the web UI: every app of a namespace with the version now serving (a token
 * of the namespace needed, as for every read of it), a check of what a bearer token may change,
 * and where the UI links to (public: it holds no namespace's data).
 */
@Path("/apps")
@Tag(name = "apps")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class AppsResource {

    /** The last deployment without its descriptor copy (the list stays small). */
    public record DeploymentSummary(String id, String version, DeploymentStatus status, String phase,
                                    String requestedBy, String reason) {
    }

    private final DeploymentStore store;
    private final Auth auth;
    private final UiSettings ui;

    public AppsResource(DeploymentStore store, Auth auth, UiSettings ui) {
        this.store = store;
        this.auth = auth;
        this.ui = ui;
    }

    @GET
    @Path("{slash: /?}")
    @Operation(summary = "Every app of a namespace", description = "The version now serving (the newest DEPLOYED"
            + " deployment), its host name, how many of its pods are healthy, and the last deployment")
    public String list(@QueryParam("namespace") String namespace,
                       @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        Map<String, List<Deployment>> deployments = new TreeMap<>();
        for (Deployment d : store.list(ns, null)) {
            deployments.computeIfAbsent(d.appName(), k -> new ArrayList<>()).add(d);
        }
        Map<String, List<Descriptor>> descriptors = new TreeMap<>();
        for (Descriptor d : store.listDescriptors(ns, null)) {
            descriptors.computeIfAbsent(d.appName(), k -> new ArrayList<>()).add(d);
        }
        TreeMap<String, Boolean> apps = new TreeMap<>();
        deployments.keySet().forEach(a -> apps.put(a, true));
        descriptors.keySet().forEach(a -> apps.put(a, true));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String app : apps.keySet()) {
            out.add(summary(ns, app, deployments.getOrDefault(app, List.of()), descriptors.getOrDefault(app, List.of())));
        }
        return Json.pretty(out);
    }

    private Map<String, Object> summary(String ns, String app, List<Deployment> deployments, List<Descriptor> descriptors) {
        List<Deployment> newestFirst = new ArrayList<>(deployments);
        Collections.reverse(newestFirst);
        Optional<Deployment> serving = newestFirst.stream().filter(d -> d.status() == DeploymentStatus.DEPLOYED).findFirst();
        Optional<Deployment> last = newestFirst.stream().findFirst();
        String frontend = serving.map(d -> d.descriptor().frontend())
                .or(() -> last.map(d -> d.descriptor().frontend()))
                .or(() -> descriptors.isEmpty() ? Optional.empty()
                        : Optional.ofNullable(descriptors.get(descriptors.size() - 1).frontend()))
                .filter(HostName::isValid)
                .map(f -> HostName.of(f).value())
                .orElse(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appName", app);
        m.put("frontend", frontend);
        m.put("servingVersion", serving.map(Deployment::version).orElse(null));
        m.put("servingDeploymentId", serving.map(Deployment::id).orElse(null));
        m.put("lastDeployment", last.map(AppsResource::brief).orElse(null));
        m.put("deployments", deployments.size());
        m.put("descriptors", descriptors.size());
        if (serving.isPresent()) {
            List<PodHealthRecord> health = store.health(ns, serving.get().id());
            Map<String, PodHealthRecord> byPod = new LinkedHashMap<>();
            health.forEach(h -> byPod.put(h.pod(), h));
            long ready = byPod.values().stream()
                    .filter(h -> h.state() == PodHealthState.READY || h.state() == PodHealthState.RECOVERED).count();
            m.put("podsReady", ready);
            m.put("podsReported", byPod.size());
            m.put("replicas", serving.get().descriptor().replicas());
        }
        return m;
    }

    private static DeploymentSummary brief(Deployment d) {
        return new DeploymentSummary(d.id(), d.version(), d.status(), d.phase() == null ? null : d.phase().name(),
                d.requestedBy(), d.reason());
    }

    @GET
    @Path("access{slash: /?}")
    @Operation(summary = "Who the bearer token is and whether it may change the namespace",
            description = "200 with the token's name; 401 without a valid token, 403 when the namespace is not allowed")
    public String access(@QueryParam("namespace") String namespace,
                         @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        String who = auth.authorizeChange(authorization, ns);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", who);
        m.put("namespace", ns);
        return Json.pretty(m);
    }

    @GET
    @Path("links{slash: /?}")
    @Operation(summary = "Where the web UI links to: the health dashboard and HAProxy")
    public String links() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthDashboardUrl", ui.healthDashboardUrl());
        m.put("publicUrl", ui.publicUrl());
        return Json.pretty(m);
    }
}
