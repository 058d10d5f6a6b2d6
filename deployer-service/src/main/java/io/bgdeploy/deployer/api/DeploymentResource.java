package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.intake.Answer;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deployments, as the reference deployer's API has them, plus rollback. A deployment is answered
 * as pretty-printed JSON with exactly one line containing {@code status}. Every call needs a token
 * of the namespace: a deployment carries its descriptor (environment values included), its log and
 * its pods' health.
 */
@Path("/deployments")
@Tag(name = "deployments")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DeploymentResource {

    private final DeploymentStore store;
    private final RequestIntake intake;
    private final Auth auth;

    public DeploymentResource(DeploymentStore store, RequestIntake intake, Auth auth) {
        this.store = store;
        this.intake = intake;
        this.auth = auth;
    }

    @POST
    @Path("{slash: /?}")
    @Operation(summary = "Deploy a stored descriptor", description = "202 with Location /deployments/<id>/?namespace=<ns>;"
            + " 400 when the descriptor is invalid, 409 when the version is already deployed or the app is busy")
    public Response deploy(@QueryParam("namespace") String namespace, @QueryParam("descriptorId") String descriptorId,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        String by = auth.authorizeChange(authorization, ns);
        if (descriptorId == null || descriptorId.isBlank()) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "descriptorId is required",
                    List.of("descriptorId: is required"));
        }
        Descriptor descriptor = store.findDescriptor(ns, descriptorId).orElseThrow(() -> ApiError.exception(
                Response.Status.NOT_FOUND, "no descriptor " + Names.printable(descriptorId) + " in namespace " + ns));
        return answer(intake.submit(descriptor, by, null, descriptor.id()));
    }

    private Response answer(Answer answer) {
        if (answer instanceof Answer.Rejected r) {
            throw ApiError.exception(r.kind() == Answer.Rejected.Kind.INVALID ? Response.Status.BAD_REQUEST
                    : Response.Status.CONFLICT, r.reason(), r.problems());
        }
        Deployment d = ((Answer.Accepted) answer).deployment();
        return Response.accepted(Json.deployment(d))
                .header(HttpHeaders.LOCATION, "/deployments/" + d.id() + "/?namespace=" + d.namespace()).build();
    }

    @GET
    @Path("{slash: /?}")
    @Operation(summary = "List deployments, newest first", description = "Optionally of one app; paged with page"
            + " (from 0) and size; the total is in the X-Total-Count header")
    public Response list(@QueryParam("namespace") String namespace, @QueryParam("appname") String appName,
                         @QueryParam("page") Integer page, @QueryParam("size") Integer size,
                         @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        List<Deployment> all = new ArrayList<>(store.list(ns, Requests.appName(appName)));
        Collections.reverse(all);
        int p = Requests.nonNegative(page, 0, "page");
        int s = Math.max(1, Math.min(Requests.nonNegative(size, 100, "size"), 1000));
        int from = (int) Math.min((long) p * s, all.size());
        List<Deployment> slice = all.subList(from, Math.min(from + s, all.size()));
        return Response.ok(Json.pretty(slice)).header("X-Total-Count", all.size()).build();
    }

    @GET
    @Path("{id}{slash: /?}")
    @Operation(summary = "Get a deployment", description = "Pretty-printed; its only line containing \"status\" is the status")
    public String get(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        return Json.deployment(find(ns, id));
    }

    @GET
    @Path("{id}/logs{slash: /?}")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The deployment's log, one line per step and phase")
    public String logs(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                       @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        find(ns, id);
        List<String> lines = store.logs(ns, id);
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    @GET
    @Path("{id}/healthcheckdata{slash: /?}")
    @Operation(summary = "Last health result of every pod of the deployment, by pod name")
    public String healthCheckData(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                                  @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        find(ns, id);
        Map<String, PodHealthRecord> byPod = new LinkedHashMap<>();
        store.health(ns, id).forEach(h -> byPod.put(h.pod(), h));
        return Json.pretty(byPod);
    }

    @PUT
    @Path("{id}{slash: /?}")
    @Operation(summary = "Redeploy", description = "Deploys the deployment's descriptor again: a new deployment, 202")
    public Response redeploy(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                             @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        String by = auth.authorizeChange(authorization, ns);
        Deployment d = find(ns, id);
        return answer(intake.submit(d.descriptor(), by, null, d.descriptorId()));
    }

    @POST
    @Path("{id}/rollback{slash: /?}")
    @Operation(summary = "Switch back to the previous version", description = "Only while it still runs (the drain"
            + " delay after the switch); 409 otherwise: redeploy an earlier deployment instead")
    public Response rollback(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                             @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        String by = auth.authorizeChange(authorization, ns);
        Deployment d = find(ns, id);
        return intake.rollback(ns, d.id(), by)
                .map(problem -> ApiError.response(Response.Status.CONFLICT, problem, List.of()))
                .orElseGet(() -> Response.accepted(Json.deployment(d))
                        .header(HttpHeaders.LOCATION, "/deployments/" + d.id() + "/?namespace=" + ns).build());
    }

    @DELETE
    @Path("{id}{slash: /?}")
    @Operation(summary = "Undeploy", description = "Removes frontend, backend and workload of a deployed version;"
            + " with deleteDeployment=true the deployment is forgotten too. 202 while undeploying, 204 when nothing ran")
    public Response undeploy(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                             @QueryParam("deleteDeployment") boolean deleteDeployment,
                             @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        String by = auth.authorizeChange(authorization, ns);
        Deployment d = find(ns, id);
        boolean running = d.status() == io.bgdeploy.events.deploy.DeploymentStatus.DEPLOYED;
        var problem = intake.undeploy(d, deleteDeployment, by);
        if (problem.isPresent()) {
            return ApiError.response(Response.Status.CONFLICT, problem.get(), List.of());
        }
        return running ? Response.accepted().header(HttpHeaders.LOCATION, "/deployments/" + d.id() + "/?namespace=" + ns)
                .build() : Response.noContent().build();
    }

    private Deployment find(String ns, String id) {
        return store.find(ns, id).orElseThrow(() -> ApiError.exception(Response.Status.NOT_FOUND,
                "no deployment " + Names.printable(id) + " in namespace " + ns));
    }
}
