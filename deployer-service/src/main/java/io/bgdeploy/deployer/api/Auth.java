package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.config.DeployerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens for the REST API. Each configured token may use a list of namespaces ({@code *}:
 * all): change them, and read what they hold (descriptors with their environment values,
 * deployments, logs, health-check data, the live stream). Namespaces listed in
 * {@code deployer.auth.anonymous-namespaces} may be used without a token (the reference-script
 * test only; production lists none).
 */
@ApplicationScoped
public class Auth {

    private static final Logger LOG = Logger.getLogger(Auth.class);
    public static final String ANONYMOUS = "anonymous";

    /** What a call does with a namespace; the word goes into the refusal. */
    enum Access {
        READ("read"), CHANGE("change");

        private final String verb;

        Access(String verb) {
            this.verb = verb;
        }
    }

    /** A token, who it belongs to, and which namespaces it may use. */
    record Grant(String name, byte[] token, List<String> namespaces) {
        boolean allows(String namespace) {
            return namespaces.contains("*") || namespaces.contains(namespace);
        }
    }

    private final List<Grant> grants = new ArrayList<>();
    private final List<String> anonymous;

    public Auth(DeployerConfig config) {
        for (Map.Entry<String, DeployerConfig.Auth.Token> t : config.auth().tokens().entrySet()) {
            grants.add(new Grant(t.getKey(), t.getValue().token().getBytes(StandardCharsets.UTF_8), t.getValue().namespaces()));
        }
        config.auth().tokenFile().ifPresent(file -> readTokenFile(Path.of(file))
                .ifPresent(token -> grants.add(new Grant("token-file", token.getBytes(StandardCharsets.UTF_8),
                        config.auth().tokenFileNamespaces()))));
        anonymous = config.auth().anonymousNamespaces().orElse(List.of());
        LOG.infof("authentication: %d token(s); namespaces open without a token: %s", grants.size(),
                anonymous.isEmpty() ? "none" : anonymous);
    }

    /** Reads the token; a missing file is created with a new random token (owner-readable only). */
    private static Optional<String> readTokenFile(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[32];
                new java.security.SecureRandom().nextBytes(random);
                String token = java.util.HexFormat.of().formatHex(random);
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
                try {
                    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    LOG.warnf("cannot restrict the permissions of %s on this file system", file);
                }
                LOG.infof("generated a bearer token in %s: send it as 'Authorization: Bearer <token>'", file.toAbsolutePath());
                return Optional.of(token);
            }
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            throw new IllegalStateException("deployer.auth.token-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Who may change this namespace with that Authorization header; throws 401 or 403 otherwise. */
    public String authorizeChange(String authorization, String namespace) {
        return authorize(authorization, namespace, Access.CHANGE);
    }

    /** Who may read this namespace with that Authorization header; throws 401 or 403 otherwise. */
    public String authorizeRead(String authorization, String namespace) {
        return authorize(authorization, namespace, Access.READ);
    }

    private String authorize(String authorization, String namespace, Access access) {
        if (authorization == null || authorization.isBlank()) {
            if (anonymous.contains(namespace)) {
                return ANONYMOUS;
            }
            throw ApiError.exception(Response.Status.UNAUTHORIZED, "a bearer token is required to " + access.verb
                    + " namespace " + namespace + ": send 'Authorization: Bearer <token>'");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.exception(Response.Status.UNAUTHORIZED, "only bearer tokens are accepted: send 'Authorization: Bearer <token>'");
        }
        byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        for (Grant g : grants) {
            if (MessageDigest.isEqual(g.token(), presented)) {
                if (!g.allows(namespace)) {
                    throw ApiError.exception(Response.Status.FORBIDDEN, "token '" + g.name() + "' may not " + access.verb
                            + " namespace " + namespace + ": use a token of that namespace");
                }
                return g.name();
            }
        }
        throw ApiError.exception(Response.Status.UNAUTHORIZED, "the bearer token is not valid");
    }
}
