package io.bgdeploy.lbagent.haproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts HAProxy in master-worker mode for a local run ({@code haproxy -W -S <master socket> -f <cfg>})
 * and stops it with the agent. In production HAProxy runs under its own supervisor and the agent
 * only talks to its master socket.
 */
public final class HaproxyLauncher implements AutoCloseable {

    private static final Pattern MASTER = Pattern.compile("^(\\d+)\\s+master\\b", Pattern.MULTILINE);

    private final ProcessHandle process;

    private HaproxyLauncher(ProcessHandle process) {
        this.process = process;
    }

    /**
     * The HAProxy master that already answers on {@code masterSocket}, if any: an agent that crashed
     * leaves its HAProxy serving, and a second one started beside it would share the listening port
     * with it (SO_REUSEPORT) while nobody updates the first.
     */
    public static Optional<HaproxyLauncher> adopt(Path masterSocket) {
        if (!Files.exists(masterSocket)) {
            return Optional.empty();
        }
        try {
            Matcher m = MASTER.matcher(new MasterCli(masterSocket).send("show proc"));
            if (!m.find()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive).map(HaproxyLauncher::new);
        } catch (RuntimeException staleSocket) {
            return Optional.empty();
        }
    }

    public static HaproxyLauncher start(Path binary, Path configFile, Path masterSocket, Duration timeout) {
        try {
            Files.deleteIfExists(masterSocket);
            Path log = configFile.resolveSibling("haproxy.out");
            Process p = new ProcessBuilder(List.of(binary.toString(), "-W", "-S", masterSocket + ",level,admin",
                    "-f", configFile.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            HaproxyLauncher launcher = new HaproxyLauncher(p.toHandle());
            MasterCli cli = new MasterCli(masterSocket);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("haproxy exited with " + p.exitValue() + " at start; see " + log);
                }
                try {
                    if (!cli.showProc().workers().isEmpty()) {
                        return launcher;
                    }
                } catch (RuntimeException notYet) {
                    // the master socket is not there yet
                }
                p.waitFor(5, TimeUnit.MILLISECONDS);
            }
            launcher.close();
            throw new IllegalStateException("haproxy did not start a worker within " + timeout.toMillis() + " ms; see " + log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting haproxy", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** False once the master has exited (killed, or its worker died and took it along). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Runs {@code action} once the master has exited. HAProxy 2.6 has no master without a worker or
     * worker without a master: a worker that dies takes the master along (its last child is gone, so
     * {@code no-exit-on-failure} does not keep it), and a worker whose master died exits. Either
     * way the master exits; for a master this JVM started, the exit is known at once, for an adopted
     * one the JDK looks every few hundred milliseconds.
     */
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    @Override
    public void close() {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }
}
