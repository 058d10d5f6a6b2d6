package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.Ids;
import io.bgdeploy.events.deploy.Descriptor;
import jakarta.ws.rs.Consumes;
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
import io.smallrye.common.annotation.Blocking;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Descriptors, as the reference deployer's API has them. Bodies are read whatever their content
 * type (CI scripts post with {@code curl --data}, which says form-urlencoded). Reading a descriptor
 * needs a token of its namespace, as changing one does: its {@code environment} holds secrets.
 */
@Path("/descriptors")
@Tag(name = "descriptors")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DescriptorResource {

    private final DeploymentStore store;
    private final RequestIntake intake;
    private final Auth auth;

    public DescriptorResource(DeploymentStore store, RequestIntake intake, Auth auth) {
        this.store = store;
        this.intake = intake;
        this.auth = auth;
    }

    @POST
    @Path("{slash: /?}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create a descriptor", description = "201 with Location /descriptors/<id>/?namespace=<ns>")
    public Response create(@QueryParam("namespace") String namespace,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, String body) {
        Descriptor parsed = Requests.descriptor(body);
        String ns = namespaceOf(namespace, parsed);
        auth.authorizeChange(authorization, ns);
        Descriptor withNs = inNamespace(parsed, ns);
        List<String> problems = intake.validate(withNs);
        if (!problems.isEmpty()) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "the descriptor has " + problems.size() + " problem(s)", problems);
        }
        Instant now = Instant.now();
        Descriptor saved = withNs.withIdentity(Ids.newId(now), now, now);
        store.saveDescriptor(saved);
        return Response.status(Response.Status.CREATED)
                .header(HttpHeaders.LOCATION, "/descriptors/" + saved.id() + "/?namespace=" + ns)
                .entity(Json.pretty(saved)).build();
    }

    @POST
    @Path("validate{slash: /?}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Validate a descriptor without saving it", description = "200 when valid, 400 with every problem")
    public Response validate(String body) {
        Descriptor parsed = Requests.descriptor(body);
        List<String> problems = intake.validate(parsed);
        if (!problems.isEmpty()) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "the descriptor has " + problems.size() + " problem(s)", problems);
        }
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("valid", true);
        ok.put("problems", List.of());
        return Response.ok(Json.pretty(ok)).build();
    }

    @GET
    @Path("{slash: /?}")
    @Operation(summary = "List descriptors of a namespace, optionally of one app")
    public String list(@QueryParam("namespace") String namespace, @QueryParam("appname") String appName,
                       @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        return Json.pretty(store.listDescriptors(ns, Requests.appName(appName)));
    }

    @GET
    @Path("{id}{slash: /?}")
    @Operation(summary = "Get a descriptor")
    public String get(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeRead(authorization, ns);
        return Json.pretty(find(ns, id));
    }

    @PUT
    @Path("{id}{slash: /?}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replace a descriptor")
    public String update(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                         @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, String body) {
        String ns = Requests.namespace(namespace);
        auth.authorizeChange(authorization, ns);
        Descriptor existing = find(ns, id);
        Descriptor parsed = inNamespace(Requests.descriptor(body), ns);
        List<String> problems = intake.validate(parsed);
        if (!problems.isEmpty()) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "the descriptor has " + problems.size() + " problem(s)", problems);
        }
        Descriptor saved = parsed.withIdentity(existing.id(), existing.created(), Instant.now());
        store.saveDescriptor(saved);
        return Json.pretty(saved);
    }

    @DELETE
    @Path("{id}{slash: /?}")
    @Operation(summary = "Delete a descriptor")
    public Response delete(@PathParam("id") String id, @QueryParam("namespace") String namespace,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String ns = Requests.namespace(namespace);
        auth.authorizeChange(authorization, ns);
        find(ns, id);
        store.deleteDescriptor(ns, id);
        return Response.noContent().build();
    }

    private Descriptor find(String ns, String id) {
        return store.findDescriptor(ns, id).orElseThrow(() -> ApiError.exception(Response.Status.NOT_FOUND,
                "no descriptor " + io.bgdeploy.events.Names.printable(id) + " in namespace " + ns));
    }

    /** The query parameter wins over the descriptor's own namespace, as in the reference. */
    private static String namespaceOf(String query, Descriptor d) {
        return Requests.namespace(query == null || query.isBlank() ? d.namespace() : query);
    }

    private static Descriptor inNamespace(Descriptor d, String ns) {
        if (ns.equals(d.namespace())) {
            return d;
        }
        return new Descriptor(d.id(), d.created(), d.lastModified(), ns, d.appName(), d.newVersion(), d.replicas(),
                d.deploymentType(), d.frontend(), d.redirectWww(), d.useCompression(), d.additionHttpHeaders(),
                d.useHealthCheck(), d.healthCheckPath(), d.healthCheckPort(), d.healthCheckType(), d.ignoreHealthCheck(),
                d.useStickySessions(), d.environment(), d.imagePullSecrets(), d.webhooks(), d.podspec());
    }
}
