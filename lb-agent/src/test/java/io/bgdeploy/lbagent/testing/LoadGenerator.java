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
 * Sends requests through the load balancer continuously from a few threads, bounded in count and
 * time, either each on a new connection ({@code Connection: close}: every request meets the
 * listener as it is at that moment) or on keep-alive connections (as browsers and most clients
 * do: a request can meet a connection an old HAProxy worker is about to close). Every request is
 * recorded, never retried: when it started, and the body or the failure.
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

    /** Each request on a new connection. */
    public static LoadGenerator start(int port, String host, int threads, int maxRequests, long maxMillis) {
        return start(port, host, threads, maxRequests, maxMillis, false);
    }

    /** Requests on keep-alive connections; a connection that fails or is closed is replaced. */
    public static LoadGenerator keepAlive(int port, String host, int threads, int maxRequests, long maxMillis) {
        return start(port, host, threads, maxRequests, maxMillis, true);
    }

    private static LoadGenerator start(int port, String host, int threads, int maxRequests, long maxMillis, boolean keepAlive) {
        LoadGenerator g = new LoadGenerator();
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                KeepAliveConnection connection = null;
                while (!g.stop.get() && System.nanoTime() < deadline && g.count() < maxRequests) {
                    long started = System.nanoTime();
                    try {
                        if (!keepAlive) {
                            g.add(new Result(started, get(port, host), null));
                            continue;
                        }
                        if (connection == null) {
                            connection = new KeepAliveConnection(port);
                        }
                        KeepAliveConnection.Response r = connection.get(host);
                        if (r.closed()) {
                            connection.close();
                            connection = null;
                        }
                        g.add(r.status() == 200 ? new Result(started, r.body(), null)
                                : new Result(started, null, "status " + r.status()));
                    } catch (IOException | RuntimeException e) {
                        g.add(new Result(started, null, e.toString()));
                        if (connection != null) {
                            connection.close();
                            connection = null;
                        }
                    }
                }
                if (connection != null) {
                    connection.close();
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
