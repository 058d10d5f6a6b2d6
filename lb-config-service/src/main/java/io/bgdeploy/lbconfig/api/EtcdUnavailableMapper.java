package io.bgdeploy.lbconfig.api;

import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/** 503 with a reason while etcd does not answer. */
@Provider
public class EtcdUnavailableMapper implements ExceptionMapper<EtcdUnavailableException> {
    @Override
    public Response toResponse(EtcdUnavailableException e) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
