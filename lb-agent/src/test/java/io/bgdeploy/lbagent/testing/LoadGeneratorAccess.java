package io.bgdeploy.lbagent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

/** One request through the load balancer, for assertions outside a load run. */
public final class LoadGeneratorAccess {

    private LoadGeneratorAccess() {
    }

    /** The status code of one request, whatever it is. */
    public static int status(int port, String host) {
        try (KeepAliveConnection c = new KeepAliveConnection(port)) {
            return c.get(host).status();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String get(int port, String host) {
        try {
            return LoadGenerator.get(port, host);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
