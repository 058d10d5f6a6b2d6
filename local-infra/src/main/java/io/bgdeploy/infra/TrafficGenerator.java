package io.bgdeploy.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady HTTP traffic through the load balancer for one virtual host, counting every request and
 * every failure (no answer, or a status other than 2xx). Each request is a new connection, so every
 * request is routed afresh and a switch is seen at once. Bounded: it stops after
 * {@code maxRequests} or {@code maxDuration}, whichever comes first, or when stopped.
 */
public final class TrafficGenerator implements AutoCloseable {

    private final int port;
    private final String host;
    private final String path;
    private final long maxRequests;
    private final Duration maxDuration;
    private final Duration pause;
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> bodies = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong lastBodyAt = new AtomicLong();
    private volatile String lastBody = "";
    private volatile boolean running = true;
    private final Thread thread;

    private TrafficGenerator(int port, String host, String path, long maxRequests, Duration maxDuration, Duration pause) {
        this.port = port;
        this.host = host;
        this.path = path;
        this.maxRequests = maxRequests;
        this.maxDuration = maxDuration;
        this.pause = pause;
        this.thread = new Thread(this::run, "traffic-" + host);
        this.thread.setDaemon(true);
    }

    /** Starts sending {@code GET path} with {@code Host: host} to 127.0.0.1:port. */
    public static TrafficGenerator start(int port, String host, String path, long maxRequests, Duration maxDuration,
                                         Duration pause) {
        if (!path.startsWith("/") || path.contains(" ") || path.contains("\r") || path.contains("\n")) {
            throw new IllegalArgumentException("path must be absolute, without spaces or line breaks");
        }
        TrafficGenerator t = new TrafficGenerator(port, host, path, maxRequests, maxDuration, pause);
        t.thread.start();
        return t;
    }

    private void run() {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        while (running && sent.sum() < maxRequests && System.nanoTime() < deadline) {
            sent.increment();
            try {
                String body = get();
                bodies.computeIfAbsent(body, b -> new LongAdder()).increment();
                lastBody = body;
                lastBodyAt.set(sent.sum());
            } catch (IOException | RuntimeException e) {
                failed.increment();
                if (failures.size() < 20) {
                    failures.add(e.getMessage());
                }
            }
            if (!pause.isZero()) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        running = false;
    }

    private String get() throws IOException {
        return get(port, host, path);
    }

    /**
     * One {@code GET path} with {@code Host: host} to 127.0.0.1:port on a new connection; the body
     * of a 2xx answer, else an IOException naming the status.
     */
    public static String get(int port, String host, String path) throws IOException {
        return get("127.0.0.1", port, host, path);
    }

    /** As {@link #get(int, String, String)}, to {@code address} (an IP address) instead of 127.0.0.1. */
    public static String get(String address, int port, String host, String path) throws IOException {
        if (!host.matches("[A-Za-z0-9.:-]+") || !path.startsWith("/") || path.contains(" ") || path.contains("\r")
                || path.contains("\n")) {
            throw new IllegalArgumentException("not a host name and absolute path: " + host + " " + path);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int lineEnd = response.indexOf("\r\n");
            if (lineEnd < 0) {
                throw new IOException("no HTTP answer");
            }
            String[] status = response.substring(0, lineEnd).split(" ", 3);
            int code = status.length > 1 ? Integer.parseInt(status[1]) : 0;
            if (code < 200 || code > 299) {
                throw new IOException("HTTP " + code);
            }
            int bodyStart = response.indexOf("\r\n\r\n");
            return bodyStart < 0 ? "" : response.substring(bodyStart + 4).trim();
        }
    }

    public long sent() {
        return sent.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** The first failures' messages (at most 20). */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Answers seen, by body, with their counts. */
    public Map<String, Long> answers() {
        Map<String, Long> m = new java.util.TreeMap<>();
        bodies.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public String lastBody() {
        return lastBody;
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops and waits for the request in flight. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
