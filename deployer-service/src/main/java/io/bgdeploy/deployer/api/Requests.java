package io.bgdeploy.deployer.api;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Parsing of request parameters and bodies into validated values, at the edge. */
final class Requests {

    private Requests() {
    }

    static String namespace(String namespace) {
        String ns = namespace == null || namespace.isBlank() ? Descriptor.DEFAULT_NAMESPACE : namespace;
        if (!Names.isNamespace(ns)) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "namespace '" + Names.printable(ns)
                    + "' is not a DNS label: use lower-case letters, digits and '-'");
        }
        return ns;
    }

    static String appName(String appName) {
        if (appName == null || appName.isBlank()) {
            return null;
        }
        if (!Names.isAppName(appName)) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "appname '" + Names.printable(appName)
                    + "' is not a DNS label");
        }
        return appName;
    }

    static Descriptor descriptor(String body) {
        if (body == null || body.isBlank()) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "the request body must be a descriptor (JSON)",
                    List.of("descriptor: is required"));
        }
        try {
            return EventCodec.read(body.getBytes(StandardCharsets.UTF_8), Descriptor.class);
        } catch (MalformedEventException e) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, "the descriptor is not valid JSON of a descriptor",
                    List.of(e.getMessage()));
        }
    }

    static int nonNegative(Integer value, int defaultValue, String name) {
        if (value == null) {
            return defaultValue;
        }
        if (value < 0) {
            throw ApiError.exception(Response.Status.BAD_REQUEST, name + " must not be negative");
        }
        return value;
    }
}
