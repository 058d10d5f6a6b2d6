package io.bgdeploy.health;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A real local HTTP server that plays a pod's health endpoint; its answer can be changed at any time. */
public final class PodServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(200, "ok"));
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private record Answer(int status, String body) {
    }

    private PodServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            Answer a = answer.get();
            if (a == null) {
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public static PodServer start() {
        try {
            return new PodServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a local HTTP server", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public PodServer answer(int status, String body) {
        answer.set(new Answer(status, body));
        return this;
    }

    /** Accepts requests and never answers them. */
    public PodServer hang() {
        answer.set(null);
        return this;
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
