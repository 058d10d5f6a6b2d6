package io.bgdeploy.infra.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keep-alive load on one virtual host through HAProxy: {@code wrk} with {@code keep-alive.lua}, one
 * connection per thread, a short pause between requests so the load leaves the suite some CPU.
 * Stopped with SIGINT, on which wrk prints its report.
 */
final class KeepAliveLoad {

    static final int CONNECTIONS = 2;
    static final int PAUSE_MILLIS = 20;

    private final Process wrk;
    private final Path output;
    private final Path okPrefix;

    private KeepAliveLoad(Process wrk, Path output, Path okPrefix) {
        this.wrk = wrk;
        this.output = output;
        this.okPrefix = okPrefix;
    }

    /** The Lua script, copied out of the jar into {@code dir} once. */
    static Path script(Path dir) {
        Path script = dir.resolve("keep-alive.lua");
        try (InputStream in = KeepAliveLoad.class.getResourceAsStream("/chaos/keep-alive.lua")) {
            Files.createDirectories(dir);
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the load script to " + dir, e);
        }
    }

    /**
     * Starts the load on {@code host} at {@code 127.0.0.1:port}; each request carries the marker
     * prefix {@code <row>.<app>}, the markers of 2xx answers go to {@code dir/<row>.<app>-<thread>.ok}.
     */
    static KeepAliveLoad start(Path script, Path dir, int port, String host, String row, String app) {
        String name = row + "." + app;
        Path okPrefix = dir.resolve(name);
        Path output = dir.resolve(name + ".wrk.txt");
        List<String> cmd = List.of("wrk", "-t" + CONNECTIONS, "-c" + CONNECTIONS, "-d1h", "--timeout", "5s",
                "-H", "Host: " + host, "-s", script.toString(), "http://127.0.0.1:" + port + "/",
                "--", okPrefix.toString(), name, String.valueOf(PAUSE_MILLIS));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            return new KeepAliveLoad(p, output, okPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start wrk (is it installed? bin/install-deps)", e);
        }
    }

    /** SIGINT, then wrk's figures. */
    LoadFigures stop() {
        try {
            new ProcessBuilder("kill", "-INT", String.valueOf(wrk.pid())).inheritIO().start().waitFor();
            if (!wrk.waitFor(30, TimeUnit.SECONDS)) {
                wrk.destroyForcibly();
                throw new IllegalStateException("wrk did not stop on SIGINT within 30 s");
            }
            return LoadFigures.parse(Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            wrk.destroyForcibly();
            throw new IllegalStateException("interrupted while stopping wrk", e);
        }
    }

    /** The markers of every request answered 2xx (each one a log line the pod wrote). */
    Set<String> answeredMarkers() {
        Set<String> markers = new HashSet<>();
        answers().forEach(line -> markers.add(line.split(" ")[0]));
        return markers;
    }

    /** The longest time, in seconds, between two 2xx answers on this app (both threads together). */
    long longestGapSeconds() {
        return longestGap(answers().stream().map(line -> line.split(" ")).filter(parts -> parts.length == 2)
                .map(parts -> Long.parseLong(parts[1])).toList());
    }

    /** The longest gap between consecutive times (epoch seconds, in any order); 0 for fewer than two. */
    static long longestGap(List<Long> times) {
        List<Long> sorted = times.stream().sorted().toList();
        long longest = 0;
        for (int i = 1; i < sorted.size(); i++) {
            longest = Math.max(longest, sorted.get(i) - sorted.get(i - 1));
        }
        return longest;
    }

    /** The lines of the .ok files: "marker epochSecond". */
    private List<String> answers() {
        List<String> all = new ArrayList<>();
        for (int thread = 0; thread < CONNECTIONS; thread++) {
            Path file = okPrefix.resolveSibling(okPrefix.getFileName() + "-" + thread + ".ok");
            if (Files.exists(file)) {
                try (Stream<String> lines = Files.lines(file)) {
                    lines.filter(l -> !l.isBlank()).forEach(all::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return all;
    }
}
