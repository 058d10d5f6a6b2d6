package io.bgdeploy.lbconfig.api;

import io.bgdeploy.lbconfig.config.LbConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/** The operators' bearer token, for every change made through the REST API. */
@ApplicationScoped
public class OperatorAuth {

    private static final Logger LOG = Logger.getLogger(OperatorAuth.class);

    private final Optional<byte[]> token;

    public OperatorAuth(LbConfig config) {
        this.token = config.auth().tokenFile().map(file -> read(Path.of(file)));
        LOG.infof("changes through the REST API: %s", token.isPresent() ? "with the token of lbconfig.auth.token-file"
                : "refused (no lbconfig.auth.token-file)");
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim).filter(l -> !l.isEmpty())
                    .findFirst().orElseThrow(() -> new IllegalStateException("lbconfig.auth.token-file " + file + " is empty"))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("lbconfig.auth.token-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Returns when the Authorization header carries the operators' token; throws 401 or 403 otherwise. */
    public void authorize(String authorization) {
        if (token.isEmpty()) {
            throw error(Response.Status.FORBIDDEN, "changes through the REST API are off: set lbconfig.auth.token-file");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw error(Response.Status.UNAUTHORIZED, "a bearer token is required: send 'Authorization: Bearer <token>'");
        }
        if (!MessageDigest.isEqual(token.get(), authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            throw error(Response.Status.UNAUTHORIZED, "the bearer token is not valid");
        }
    }

    static WebApplicationException error(Response.Status status, String message) {
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", message)).build());
    }
}
