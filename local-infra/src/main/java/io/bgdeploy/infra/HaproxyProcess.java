package io.bgdeploy.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's HAProxy (2.6) in master-worker mode ({@code -W -S <master socket>}): a reload starts new
 * workers from the new configuration while the old ones finish their connections, and no listener
 * is closed in between.
 */
public final class HaproxyProcess implements AutoCloseable {

    public static final String DEFAULT_BINARY = "/usr/sbin/haproxy";
    private static final Pattern MASTER_LINE = Pattern.compile("^(\\d+)\\s+master\\s+(\\d+)", Pattern.MULTILINE);

    private final SocketDirectory sockets;
    private final Path masterSocket;
    private final Path configFile;
    private final ManagedProcess process;

    private HaproxyProcess(SocketDirectory sockets, Path configFile, ManagedProcess process) {
        this.sockets = sockets;
        this.masterSocket = sockets.socket("master.sock");
        this.configFile = configFile;
        this.process = process;
    }

    /**
     * Starts HAProxy on {@code configFile} with its files (pid, log) in {@code workDir} and its master
     * socket in a short directory of its own ({@link SocketDirectory}); waits until the master answers.
     */
    public static HaproxyProcess start(Path workDir, Path configFile) {
        String binary = binary();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SocketDirectory sockets = SocketDirectory.create("haproxy");
        Path socket = sockets.socket("master.sock");
        List<String> cmd = List.of(binary, "-W", "-S", socket + ",level,admin", "-f", configFile.toString(),
                "-p", workDir.resolve("haproxy.pid").toString());
        ManagedProcess process = ManagedProcess.start("haproxy", cmd, Map.of(), workDir, workDir.resolve("haproxy.log"));
        HaproxyProcess haproxy = new HaproxyProcess(sockets, configFile, process);
        try {
            process.awaitReady(haproxy::hasWorker, Duration.ofSeconds(20), "a running worker");
        } catch (RuntimeException e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    /** Validates a configuration file with {@code haproxy -c -f}; returns the error output, or null if valid. */
    public static String check(Path configFile) {
        try {
            Process p = new ProcessBuilder(binary(), "-c", "-f", configFile.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? null : out.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String binary() {
        String binary = System.getenv().getOrDefault("HAPROXY_BINARY", DEFAULT_BINARY);
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " not found: install it with 'apt-get install -y haproxy'");
        }
        return binary;
    }

    public Path masterSocket() {
        return masterSocket;
    }

    public Path configFile() {
        return configFile;
    }

    public ManagedProcess process() {
        return process;
    }

    /** Number of reloads the master has done so far. */
    public int reloads() {
        Matcher m = MASTER_LINE.matcher(master("show proc"));
        if (!m.find()) {
            throw new IllegalStateException("unexpected 'show proc' output from the HAProxy master");
        }
        return Integer.parseInt(m.group(2));
    }

    /** Reloads the configuration file and returns once the master has started the new workers. */
    public void reload() {
        int before = reloads();
        masterNoReply("reload");
        process.awaitReady(() -> {
            try {
                return reloads() > before && hasWorker();
            } catch (RuntimeException notYet) {
                return false;
            }
        }, Duration.ofSeconds(20), "reload number " + (before + 1));
    }

    /** A command on the master CLI, e.g. {@code show proc}; returns its whole answer. */
    public String master(String command) {
        return send(masterSocket, command, true);
    }

    /** A Runtime API command on the current worker, e.g. {@code show servers state}. */
    public String runtime(String command) {
        return master("@1 " + command);
    }

    /** A Runtime API command on the current worker of an HAProxy started elsewhere, through its master socket. */
    public static String runtimeAt(Path masterSocket, String command) {
        return send(masterSocket, "@1 " + command, true);
    }

    private void masterNoReply(String command) {
        send(masterSocket, command, false);
    }

    private boolean hasWorker() {
        try {
            return Files.exists(masterSocket) && master("show proc").contains(" worker ");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String send(Path socket, String command, boolean readReply) {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0 || command.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one command per call, without newlines or ';'");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            // Half-close: the CLI answers the one command and closes, instead of waiting for more.
            ch.shutdownOutput();
            if (!readReply) {
                return "";
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy master socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Stops HAProxy and removes its socket directory. */
    @Override
    public void close() {
        process.close();
        sockets.close();
    }
}
