package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.Names;

import java.util.List;

/**
 * A virtual host and its options. Which backend it routes to is part of {@link SwitchFrontend}.
 *
 * @param redirectWww     redirect {@code www.<hostname>} to {@code <hostname>}
 * @param certificatePath PEM file with certificate and key; required unless {@code HTTP_ONLY}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FrontendSpec(String hostname, boolean redirectWww, boolean compression, List<HttpHeader> headers,
                           boolean stickySessions, TlsMode tls, String certificatePath) {

    public FrontendSpec {
        Names.requireHostName(hostname);
        headers = headers == null ? List.of() : List.copyOf(headers);
        tls = tls == null ? TlsMode.HTTP_ONLY : tls;
        if (tls != TlsMode.HTTP_ONLY) {
            Names.requireSafeFilePath(Names.requirePresent(certificatePath, "certificatePath (needed for " + tls + ")"));
        } else if (certificatePath != null) {
            Names.requireSafeFilePath(certificatePath);
        }
    }

    /** A plain HTTP frontend with no options. */
    public static FrontendSpec http(String hostname) {
        return new FrontendSpec(hostname, false, false, List.of(), false, TlsMode.HTTP_ONLY, null);
    }
}
