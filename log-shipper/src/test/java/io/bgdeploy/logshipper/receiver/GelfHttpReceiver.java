package io.bgdeploy.logshipper.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * GELF HTTP input as Graylog's with "Enable Bulk Receiving": {@code POST /gelf}, the body one or
 * more JSON messages separated by newlines, {@code Content-Encoding: gzip} decompressed first, a
 * body larger than {@code max_chunk_size} (after decompression) answered 413, and 202 Accepted
 * for a request it took. Stricter than Graylog in one way: a request with any message that breaks
 * GELF 1.1 is refused whole with 400 and the reason, as a validating proxy in front of Graylog would.
 */
public final class GelfHttpReceiver extends GelfReceiver {

    static {
        // The JDK server delays keep-alive answers by about 40 ms (Nagle against delayed ACK) without it.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final int maxBodyBytes;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong gzipped = new AtomicLong();
    private final Set<String> connections = ConcurrentHashMap.newKeySet();
    private volatile HttpServer server;
    private volatile ExecutorService executor;
    private volatile Predicate<JsonNode> refused = m -> false;
    private volatile int status = 202;
    private volatile String authorization;

    public GelfHttpReceiver() {
        this(8 * 1024 * 1024);
    }

    /** @param maxBodyBytes the input's max_chunk_size: larger bodies are answered 413 */
    public GelfHttpReceiver(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/gelf";
    }

    /** Requests answered, whatever the answer. */
    public long requests() {
        return requests.get();
    }

    /** Requests that came gzip-compressed. */
    public long gzippedRequests() {
        return gzipped.get();
    }

    /** From now on, a request with a message matching this is refused with 400, as a validating proxy would. */
    public void refuse(Predicate<JsonNode> messages) {
        refused = messages;
    }

    /** From now on, a request without this Authorization header is answered 401, as Graylog's input with an authorization header does. */
    public void requireAuthorization(String value) {
        authorization = value;
    }

    /** From now on, answer every valid request with this status instead of 202 (a failing or misplaced input). */
    public void answer(int httpStatus) {
        status = httpStatus;
    }

    /** Distinct client connections seen (keep-alive: far fewer than requests). */
    public int connections() {
        return connections.size();
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
            requests.incrementAndGet();
            connections.add(String.valueOf(exchange.getRemoteAddress()));
            if (!"/gelf".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] payload = body.readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                gzipped.incrementAndGet();
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(payload))) {
                    payload = in.readAllBytes();
                }
            }
            if (payload.length > maxBodyBytes) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            List<byte[]> accepted = new ArrayList<>();
            for (byte[] message : lines(payload)) {
                try {
                    byte[] json = GelfSpec.decompress(message);
                    if (refused.test(GelfSpec.parse(json))) {
                        throw new GelfSpec.InvalidGelfException("refused by the receiver's rule");
                    }
                    accepted.add(json);
                } catch (GelfSpec.InvalidGelfException e) {
                    reject(e.getMessage());
                    byte[] reason = e.getMessage().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(400, reason.length);
                    exchange.getResponseBody().write(reason);
                    return;
                }
            }
            if (status != 202) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            accepted.forEach(this::accept);
            exchange.sendResponseHeaders(202, -1);
        }
    }

    /** The messages of a bulk body: split on newlines, empty lines skipped. */
    private static List<byte[]> lines(byte[] payload) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= payload.length; i++) {
            if (i == payload.length || payload[i] == '\n') {
                int end = i > start && payload[i - 1] == '\r' ? i - 1 : i;
                if (end > start) {
                    byte[] line = new byte[end - start];
                    System.arraycopy(payload, start, line, 0, line.length);
                    lines.add(line);
                }
                start = i + 1;
            }
        }
        return lines;
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
