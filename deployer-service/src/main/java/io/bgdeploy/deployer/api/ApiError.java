package io.bgdeploy.deployer.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Error answers: {@code {"error": "...", "problems": [...]}} with the right status. */
public final class ApiError {

    private ApiError() {
    }

    public static Response response(Response.Status status, String error, List<String> problems) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("problems", problems);
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(Json.pretty(body));
        if (status == Response.Status.UNAUTHORIZED) {
            r.header("WWW-Authenticate", "Bearer realm=\"bgdeploy\"");
        }
        return r.build();
    }

    public static WebApplicationException exception(Response.Status status, String error) {
        return new WebApplicationException(error, response(status, error, List.of()));
    }

    public static WebApplicationException exception(Response.Status status, String error, List<String> problems) {
        return new WebApplicationException(error, response(status, error, problems));
    }
}
