package io.bgdeploy.logshipper.sink;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The local sink's GELF HTTP input: {@code POST /gelf} answers 202 like Graylog's; 404 when the sink is off. */
@Path("/gelf")
public class GelfSinkResource {

    private final GelfSinkService sinks;

    public GelfSinkResource(GelfSinkService sinks) {
        this.sinks = sinks;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.WILDCARD})
    public Response receive(byte[] body) {
        return sinks.sink().map(sink -> {
            sink.write(body);
            return Response.accepted().build();
        }).orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                .entity("the GELF sink is off: start with logshipper.sink.enabled=true").build());
    }
}
