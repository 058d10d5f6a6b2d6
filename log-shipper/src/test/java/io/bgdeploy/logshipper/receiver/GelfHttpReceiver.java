package io.bgdeploy.logshipper.receiver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/** GELF HTTP input: {@code POST /gelf} with one JSON message (optionally gzip/deflate), answered 202 Accepted. */
public final class GelfHttpReceiver extends GelfReceiver {

    private volatile HttpServer server;
    private volatile ExecutorService executor;

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/gelf";
    }

    @Override
    public synchronized void start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            s.createContext("/", this::handle);
            executor = Executors.newFixedThreadPool(4);
            s.setExecutor(executor);
            s.start();
            port = s.getAddress().getPort();
            server = s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"/gelf".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] payload = body.readAllBytes();
            try {
                byte[] json = GelfSpec.decompress(payload);
                GelfSpec.parse(json);
                accept(json);
                exchange.sendResponseHeaders(202, -1);
            } catch (GelfSpec.InvalidGelfException e) {
                reject(e.getMessage());
                exchange.sendResponseHeaders(400, -1);
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }
}
