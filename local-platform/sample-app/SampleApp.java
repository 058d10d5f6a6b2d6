import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;

/**
 * A tiny app for the local platform and demos. Run with {@code java SampleApp.java} (Java 17
 * source launcher). Serves HTTP on $PORT (default 8080):
 * <ul>
 *   <li>{@code /} answers "Hello from APP_NAME version APP_VERSION"</li>
 *   <li>{@code /health} answers 200 {"healthy": true}, or as set by HEALTH: {@code fail} (503,
 *       {"healthy": false}) or {@code lie} (200, {"healthy": false}: fails only a "probe" check)</li>
 *   <li>{@code /version} answers APP_VERSION</li>
 * </ul>
 * CRASH_AFTER_SECONDS makes it exit with status 3 after that many seconds (to see restarts counted).
 * One log line per request on stdout.
 */
public class SampleApp {

    public static void main(String[] args) throws IOException {
        // TCP_NODELAY unless told otherwise: without it the JDK's server answers keep-alive requests
        // ~40 ms late (Nagle against the client's delayed ACK), about 25 requests a second per connection.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        int port = Integer.parseInt(env("PORT", "8080"));
        String app = env("APP_NAME", "sample-app");
        String version = env("APP_VERSION", "0");
        String health = env("HEALTH", "ok");
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/health" -> {
                    if (health.equals("fail")) {
                        respond(exchange, 503, "{\"healthy\": false}");
                    } else if (health.equals("lie")) {
                        respond(exchange, 200, "{\"healthy\": false}");
                    } else {
                        respond(exchange, 200, "{\"healthy\": true}");
                    }
                }
                case "/version" -> respond(exchange, 200, version);
                case "/" -> respond(exchange, 200, "Hello from " + app + " version " + version);
                default -> respond(exchange, 404, "not found");
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println(Instant.now() + " " + app + " version " + version + " listening on port " + port);
        String crash = System.getenv("CRASH_AFTER_SECONDS");
        if (crash != null) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(Long.parseLong(crash) * 1000);
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println(Instant.now() + " crashing on purpose (CRASH_AFTER_SECONDS=" + crash + ")");
                System.exit(3);
            });
            t.setDaemon(true);
            t.start();
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        System.out.println(Instant.now() + " \"" + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\" "
                + status);
    }
}
