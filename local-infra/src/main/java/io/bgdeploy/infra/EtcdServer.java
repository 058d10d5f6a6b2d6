package io.bgdeploy.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real single-member etcd (Debian's {@code etcd-server}, 3.4) on loopback. {@link #kill()} and
 * {@link #restart()} keep ports and data, as a crash and a restart of a real member would.
 */
public final class EtcdServer implements AutoCloseable {

    public static final String DEFAULT_BINARY = "/usr/bin/etcd";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final int clientPort;
    private final Path dataDir;
    private final ManagedProcess process;
    private final HttpClient http = HttpClients.http11(Duration.ofMillis(500));

    private EtcdServer(int clientPort, Path dataDir, ManagedProcess process) {
        this.clientPort = clientPort;
        this.dataDir = dataDir;
        this.process = process;
    }

    /** Starts etcd on free ports with its data under {@code workDir}. */
    public static EtcdServer start(Path workDir) {
        return start(workDir, FreePorts.next(), FreePorts.next());
    }

    public static EtcdServer start(Path workDir, int clientPort, int peerPort) {
        String binary = System.getenv().getOrDefault("ETCD_BINARY", DEFAULT_BINARY);
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " not found: install it with 'apt-get install -y etcd-server'");
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = List.of(binary,
                "--name", "bgdeploy",
                "--data-dir", workDir.resolve("data").toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bgdeploy=" + peer,
                "--initial-cluster-state", "new",
                "--logger", "zap",
                "--log-level", "warn", "--metrics", "extensive");
        ManagedProcess process = ManagedProcess.start("etcd", cmd, Map.of(), workDir, workDir.resolve("etcd.log"));
        EtcdServer server = new EtcdServer(clientPort, workDir.resolve("data"), process);
        server.awaitHealthy();
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public int clientPort() {
        return clientPort;
    }

    public ManagedProcess process() {
        return process;
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.kill();
    }

    /** Starts again on the same ports and data, and waits until it is healthy. */
    public void restart() {
        process.restart();
        awaitHealthy();
    }

    /**
     * A backup: stops the member, copies its data to {@code copy} (which must not exist yet) and
     * starts it again. Brought back
     * with {@link #restoreFrom}, clients see what they would after {@code etcdctl snapshot restore}
     * of a snapshot taken now: the data, and the revision, of this moment.
     */
    public void backUpTo(Path copy) {
        kill();
        copyTree(dataDir, copy);
        restart();
    }

    /** Stops the member, replaces its data with a copy {@link #backUpTo} made, and starts it again. */
    public void restoreFrom(Path copy) {
        kill();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copyTree(copy, dataDir);
        restart();
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isHealthy() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitHealthy() {
        process.awaitReady(this::isHealthy, START_TIMEOUT, "healthy at " + endpoint());
    }

    @Override
    public void close() {
        process.close();
    }
}
