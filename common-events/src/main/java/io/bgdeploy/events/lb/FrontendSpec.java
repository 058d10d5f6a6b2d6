package io.bgdeploy.events.lb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;

import java.util.List;

/**
 * A virtual host and its options. Which backend it routes to is part of {@link SwitchFrontend}.
 *
 * @param host            the host name, {@code hostname} on the wire
 * @param redirectWww     redirect {@code www.<hostname>} to {@code <hostname>}
 * @param certificatePath PEM file with certificate and key; required unless {@code HTTP_ONLY}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FrontendSpec(@JsonProperty("hostname") HostName host, boolean redirectWww, boolean compression,
                           List<HttpHeader> headers, boolean stickySessions, TlsMode tls, String certificatePath) {

    @JsonCreator
    public FrontendSpec {
        Names.requirePresent(host, "hostname");
        headers = headers == null ? List.of() : List.copyOf(headers);
        tls = tls == null ? TlsMode.HTTP_ONLY : tls;
        if (tls != TlsMode.HTTP_ONLY) {
            Names.requireSafeFilePath(Names.requirePresent(certificatePath, "certificatePath (needed for " + tls + ")"));
        } else if (certificatePath != null) {
            Names.requireSafeFilePath(certificatePath);
        }
    }

    /** A plain HTTP frontend with no options. */
    public static FrontendSpec http(HostName host) {
        return new FrontendSpec(host, false, false, List.of(), false, TlsMode.HTTP_ONLY, null);
    }

    /** A plain HTTP frontend with no options, for a host name given as text (parsed with {@link HostName#of}). */
    public static FrontendSpec http(String hostname) {
        return http(HostName.of(hostname));
    }
}
