package io.bgdeploy.infra;

import java.net.http.HttpClient;
import java.time.Duration;

/** The HTTP clients the local run, its tools and the tests talk to the suite with. */
public final class HttpClients {

    private HttpClients() {
    }

    /**
     * A client that speaks HTTP/1.1, as the services and HAProxy do: the JDK's default asks every
     * new connection to upgrade to cleartext HTTP/2 ({@code Upgrade: h2c}), which they refuse.
     */
    public static HttpClient http11(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }
}
