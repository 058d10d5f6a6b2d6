package io.bgdeploy.lbagent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends requests through the load balancer continuously from a few threads, each on a new
 * connection (so every request meets the listener as it is at that moment), bounded in count and
 * time. Every request is recorded: when it started, and the body or the failure.
 */
public final class LoadGenerator implements AutoCloseable {

    /** One request; {@code body} is null when it failed. */
    public record Result(long startedNanos, String body, String failure) {
    }

    private final List<Result> results = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    private LoadGenerator() {
    }

    public static LoadGenerator start(int port, String host, int threads, int maxRequests, long maxMillis) {
        LoadGenerator g = new LoadGenerator();
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!g.stop.get() && System.nanoTime() < deadline && g.count() < maxRequests) {
                    long started = System.nanoTime();
                    try {
                        g.add(new Result(started, get(port, host), null));
                    } catch (IOException | RuntimeException e) {
                        g.add(new Result(started, null, e.toString()));
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            t.start();
            g.threads.add(t);
        }
        return g;
    }

    static String get(int port, String host) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200")) {
                throw new IOException("status line: " + response.lines().findFirst().orElse("(empty response)"));
            }
            int body = response.indexOf("\r\n\r\n");
            return response.substring(body + 4);
        }
    }

    private synchronized void add(Result r) {
        results.add(r);
    }

    public synchronized int count() {
        return results.size();
    }

    public synchronized List<Result> results() {
        return List.copyOf(results);
    }

    public synchronized List<Result> failures() {
        return results.stream().filter(r -> r.body() == null).toList();
    }

    /** Requests that started after {@code nanos}. */
    public synchronized List<Result> startedAfter(long nanos) {
        return results.stream().filter(r -> r.startedNanos() > nanos).toList();
    }

    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
