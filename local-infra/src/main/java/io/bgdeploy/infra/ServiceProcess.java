package io.bgdeploy.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One of the suite's Quarkus services, run as a separate process from its packaged fast-jar
 * ({@code <module>/target/quarkus-app/quarkus-run.jar}) with settings passed as system properties.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(300);

    /** glibc keeps up to 8 malloc arenas per core, each holding freed memory; two are plenty for a JVM. */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    private static final String LOOPBACK = "127.0.0.1";

    private final String name;
    private final String address;
    private final int port;
    private final ManagedProcess process;

    private ServiceProcess(String name, String address, int port, ManagedProcess process) {
        this.name = name;
        this.address = address;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts the service of {@code module} under {@code root} on {@code port}; does not wait.
     *
     * @param settings Quarkus/MicroProfile properties, e.g. {@code kafka.bootstrap.servers}
     */
    public static ServiceProcess launch(Path root, String module, int port, Map<String, String> settings, Path logDir) {
        return launchAs(module, root, module, port, settings, logDir);
    }

    /**
     * Starts one more process of {@code module} under its own {@code name}, which names its log file
     * ({@code <name>.log}); does not wait.
     */
    public static ServiceProcess launchAs(String name, Path root, String module, int port, Map<String, String> settings,
                                          Path logDir) {
        return launch(name, root, module, List.of(), LOOPBACK, port, settings, logDir.resolve(name + ".log"));
    }

    /** Starts the service of {@code module} on {@code host}, listening on its address; does not wait. */
    public static ServiceProcess launchOn(IsolatedHost host, Path root, String module, int port,
                                          Map<String, String> settings, Path logDir) {
        return launch(module, root, module, host.commandPrefix(), host.address(), port, settings,
                logDir.resolve(module + "-" + host.namespace() + ".log"));
    }

    private static ServiceProcess launch(String name, Path root, String module, List<String> prefix, String address, int port,
                                         Map<String, String> settings, Path logFile) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the suite first (mvn -DskipTests package)");
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(KafkaBroker.javaBinary());
        cmd.addAll(JvmProfile.chosen().serviceOptions());
        cmd.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=" + address));
        new TreeMap<>(settings).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ManagedProcess process = ManagedProcess.start(name, cmd, ENVIRONMENT, root.resolve(module), logFile);
        return new ServiceProcess(name, address, port, process);
    }

    /** Waits until {@code /q/health/ready} answers 200. */
    public ServiceProcess awaitReady() {
        process.awaitReady(this::isReady, START_TIMEOUT, "ready at " + url("/q/health/ready"));
        return this;
    }

    public boolean isReady() {
        return HttpCheck.answersOk(url("/q/health/ready"), Duration.ofSeconds(2));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://" + address + ":" + port + path;
    }

    public ManagedProcess process() {
        return process;
    }

    /** The process's resident memory now, in kB ({@code VmRSS} of {@code /proc/<pid>/status}). */
    public long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(name + " (pid " + process.pid() + ") reports no VmRSS: has it ended?");
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.kill();
    }

    /** Starts the killed service again with the same settings and waits until it is ready. */
    public void restart() {
        process.restart();
        awaitReady();
    }

    @Override
    public void close() {
        process.close();
    }
}
