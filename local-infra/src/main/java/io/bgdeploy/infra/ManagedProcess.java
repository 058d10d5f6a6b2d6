package io.bgdeploy.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process whose output goes to a log file and which dies with this JVM: at exit
 * ({@link ExitActions.Stage#PROCESSES}, after an orderly stop had its turn) it is stopped with its
 * descendants, so no test run leaves stray processes behind.
 *
 * <p>It runs in a session of its own ({@code setsid}, which keeps the pid): a signal to this JVM's
 * process group (Ctrl-C in a terminal, {@code timeout}, a CI job's stop) reaches this JVM only, which
 * then stops its children in its own order. Without it every child got the signal at once: the
 * deployer's pods died under it, its local platform started them again as crashed containers, and
 * those outlived the run.
 */
public final class ManagedProcess implements AutoCloseable {

    /** util-linux's setsid (essential on Debian): not a process group leader, so it does not fork. */
    private static final String SETSID = "/usr/bin/setsid";

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final Path workDir;
    private volatile Process process;
    /** Children of a killed process, which a crash leaves behind. */
    private final Set<ProcessHandle> orphans = ConcurrentHashMap.newKeySet();
    private ExitActions.Registration stopAtExit;

    private ManagedProcess(String name, List<String> command, Map<String, String> environment, Path workDir, Path logFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workDir = workDir;
        this.logFile = logFile;
    }

    /** Starts {@code command} (an argument list, never a shell line) with its output appended to {@code logFile}. */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
                                       Path workDir, Path logFile) {
        ManagedProcess p = new ManagedProcess(name, command, environment, workDir, logFile);
        p.launch();
        p.stopAtExit = ExitActions.atExit(ExitActions.Stage.PROCESSES, "stop-" + name, p::destroyNow);
        return p;
    }

    /** Starts the same command again after {@link #kill()} or {@link #stop()}. */
    public synchronized void restart() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    private synchronized void launch() {
        try {
            Files.createDirectories(logFile.getParent());
            List<String> argv = new ArrayList<>(command.size() + 1);
            argv.add(SETSID);
            argv.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
        }
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * SIGKILL of this process only, as a crash would: its children live on (a restarted deployer
     * adopts its pods, HAProxy keeps serving) and are stopped by {@link #stop} later.
     */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(orphans::add);
        p.destroyForcibly();
        waitFor(p, Duration.ofSeconds(10));
    }

    /**
     * SIGSTOP ({@code frozen}) or SIGCONT of this process: a peer that stops answering without
     * closing its connections, as a process that hangs or a machine that stalls does.
     */
    public void freeze(boolean frozen) {
        String signal = frozen ? "-STOP" : "-CONT";
        try {
            int code = new ProcessBuilder("kill", signal, String.valueOf(pid())).inheritIO().start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill " + signal + " " + pid() + " exited " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    public void stop(Duration grace) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            orphans.forEach(ProcessHandle::destroyForcibly);
            orphans.clear();
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!waitFor(p, grace)) {
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(10));
        }
        children.forEach(ProcessHandle::destroyForcibly);
        orphans.forEach(ProcessHandle::destroyForcibly);
        orphans.clear();
    }

    public void stop() {
        stop(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        stop();
        stopAtExit.cancel();
    }

    private void destroyNow() {
        stop(Duration.ofSeconds(5));
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until {@code condition} holds, failing early with the log's tail if the process died. */
    public void awaitReady(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited (code " + process.exitValue() + ") before " + what
                        + "; last output:\n" + tail(40));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " did not reach '" + what + "' within " + timeout + "; last output:\n" + tail(40));
    }

    public static boolean isListening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
