package io.bgdeploy.lbconfig.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for an agent's {@code GET /served-revision} on a free port: answers at once with the
 * body set last (by default the agent's id and the revision it is set to serve), and keeps the
 * queries it was sent.
 */
public final class FakeAgentEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body;

    public FakeAgentEndpoint(String agentId, long served) {
        serving(agentId, served);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/served-revision", exchange -> {
            queries.add(exchange.getRequestURI().getRawQuery());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    /** Answers as agent {@code agentId} serving {@code served} from now on. */
    public FakeAgentEndpoint serving(String agentId, long served) {
        return answering(200, "{\"agentId\":\"" + agentId + "\",\"revision\":" + served + "}");
    }

    public FakeAgentEndpoint answering(int status, String body) {
        this.status = status;
        this.body = body;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
