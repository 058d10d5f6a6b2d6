package io.bgdeploy.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk (Debian's package) sending as many requests as it can through the load balancer until it is
 * stopped, keep-alive or with {@code Connection: close}. Every failed request is counted (connect,
 * read, write errors and timeouts) and so is every response that is not 2xx or 3xx; wrk never
 * retries. Stopped with SIGINT, it prints its summary, which {@link #stop()} reads.
 */
public final class Wrk implements AutoCloseable {

    public static final String BINARY = "/usr/bin/wrk";
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(ms|s|m)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    /** What wrk counted; {@code latencyMillis} by percentile (50, 75, 90, 99). */
    public record Result(long requests, double seconds, long connectErrors, long readErrors, long writeErrors, long timeouts,
                         long non2xx, double requestsPerSecond, Map<Integer, Double> latencyMillis, String output) {

        /** Requests that got no response: every socket error and timeout. */
        public long failed() {
            return connectErrors + readErrors + writeErrors + timeouts;
        }

        @Override
        public String toString() {
            return String.format("%,d requests in %.1f s (%,.0f/s), failed %d (connect %d, read %d, write %d, timeout %d), non-2xx %d,"
                            + " latency p50 %.1f ms, p99 %.1f ms", requests, seconds, requestsPerSecond, failed(), connectErrors,
                    readErrors, writeErrors, timeouts, non2xx, latencyMillis.getOrDefault(50, -1.0),
                    latencyMillis.getOrDefault(99, -1.0));
        }
    }

    private final Process process;
    private final Path output;

    private Wrk(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts wrk against {@code http://127.0.0.1:<port>/} with the given {@code Host} header.
     *
     * @param keepAlive false: every request on a new connection ({@code Connection: close})
     * @param output    where wrk writes its summary
     */
    public static Wrk start(int port, String host, int threads, int connections, boolean keepAlive, Path output) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " not found: install it with 'apt-get install -y wrk'");
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-t" + threads, "-c" + connections, "-d" + "24h",
                "--timeout", "5s", "--latency", "-H", "Host: " + host));
        if (!keepAlive) {
            cmd.addAll(List.of("-H", "Connection: close"));
        }
        cmd.add("http://127.0.0.1:" + port + "/");
        try {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new Wrk(p, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start wrk", e);
        }
    }

    /** Stops wrk (SIGINT, as Ctrl-C) and returns what it counted. */
    public Result stop() {
        try {
            if (process.isAlive()) {
                new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("wrk did not stop within 30 s");
            }
            return parse(Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping wrk", e);
        }
    }

    static Result parse(String text) {
        Matcher requests = REQUESTS.matcher(text);
        if (!requests.find()) {
            throw new IllegalStateException("wrk printed no summary:\n" + text);
        }
        double seconds = Double.parseDouble(requests.group(2)) * switch (requests.group(3)) {
            case "ms" -> 0.001;
            case "m" -> 60;
            default -> 1;
        };
        long connect = 0;
        long read = 0;
        long write = 0;
        long timeout = 0;
        Matcher errors = SOCKET_ERRORS.matcher(text);
        if (errors.find()) {
            connect = Long.parseLong(errors.group(1));
            read = Long.parseLong(errors.group(2));
            write = Long.parseLong(errors.group(3));
            timeout = Long.parseLong(errors.group(4));
        }
        Matcher non2xx = NON_2XX.matcher(text);
        Matcher rate = RATE.matcher(text);
        Map<Integer, Double> latency = new TreeMap<>();
        Matcher p = PERCENTILE.matcher(text);
        while (p.find()) {
            double value = Double.parseDouble(p.group(2));
            latency.put(Integer.parseInt(p.group(1)), switch (p.group(3)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            });
        }
        return new Result(Long.parseLong(requests.group(1)), seconds, connect, read, write, timeout,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, rate.find() ? Double.parseDouble(rate.group(1)) : 0,
                latency, text);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
