package io.bgdeploy.localplatform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The tiny HTTP server the local platform runs for images such as {@code nginx} that have no
 * command: it serves on {@code $PORT}, answers {@code /} and {@code /index.html} with 200 and a line
 * naming the app and version, {@code /health} with {@code {"healthy": true}}, any other path with
 * 404 (as nginx would), and prints one log line per request in a common log format.
 * Self-contained (JDK only, no inner classes) because it runs as its own process from a copy of
 * this class file.
 */
public final class BuiltinHttpServer {

    private BuiltinHttpServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String app = System.getenv().getOrDefault("APP_NAME", "app");
        String version = System.getenv().getOrDefault("APP_VERSION", "0");
        String pod = System.getenv().getOrDefault("POD_NAME", "local");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", exchange -> handle(exchange, app, version, pod));
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        System.out.println(Instant.now() + " " + app + " version " + version + " (pod " + pod + ") listening on port " + port);
    }

    private static void handle(HttpExchange exchange, String app, String version, String pod) throws IOException {
        String path = exchange.getRequestURI().getPath();
        boolean health = path.equals("/health") || path.equals("/healthz");
        boolean index = path.equals("/") || path.equals("/index.html");
        int status = health || index ? 200 : 404;
        String body = health ? "{\"healthy\": true}\n" : index ? "Hello from " + app + " version " + version + " (" + pod + ")\n"
                : "404 Not Found\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", health ? "application/json" : "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("X-App-Version", version);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        System.out.println(Instant.now() + " " + exchange.getRemoteAddress().getAddress().getHostAddress() + " \""
                + exchange.getRequestMethod() + " " + path + "\" " + status + " " + bytes.length);
    }
}
