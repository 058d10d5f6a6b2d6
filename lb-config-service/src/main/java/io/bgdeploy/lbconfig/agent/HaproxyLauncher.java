package io.bgdeploy.lbconfig.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts HAProxy in master-worker mode for a local run ({@code haproxy -W -S <master socket> -f <cfg>})
 * and stops it with the agent. In production HAProxy runs under its own supervisor and the agent
 * only talks to its master socket.
 */
public final class HaproxyLauncher implements AutoCloseable {

    private final Process process;

    private HaproxyLauncher(Process process) {
        this.process = process;
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
            HaproxyLauncher launcher = new HaproxyLauncher(p);
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
                    p.waitFor(20, TimeUnit.MILLISECONDS);
                }
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

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
