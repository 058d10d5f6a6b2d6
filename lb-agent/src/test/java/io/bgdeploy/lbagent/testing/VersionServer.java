package io.bgdeploy.lbagent.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** A tiny HTTP server standing for one version of an app: answers every path with its name. */
public final class VersionServer implements AutoCloseable {

    static {
        // Without it the JDK's server answers keep-alive requests ~40 ms late (Nagle against delayed ACK).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final String name;

    private VersionServer(HttpServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public static VersionServer start(String name) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
            server.createContext("/", exchange -> {
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return new VersionServer(server, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
