package io.bgdeploy.infra;

import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The local run: {@code up} starts the whole suite with embedded defaults and runs the blue-green
 * demo, then keeps the suite running until Ctrl-C or {@code down}.
 */
public final class LocalRun {

    private static final PrintStream OUT = System.out;
    static final String DEMO_HOST = "demo.localhost";

    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        Path root = Path.of("").toAbsolutePath();
        Path workDir = root.resolve(".suite");
        if (a.isEmpty() || a.contains("--help")) {
            OUT.println("usage: LocalRun up [--no-demo] | down");
            return;
        }
        switch (a.get(0)) {
            case "up" -> up(root, workDir, !a.contains("--no-demo"));
            case "down" -> down(workDir);
            default -> {
                System.err.println("unknown command '" + a.get(0) + "': use up or down");
                System.exit(2);
            }
        }
    }

    private static void up(Path root, Path workDir, boolean demo) throws Exception {
        Path pidFile = workDir.resolve("suite.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                System.err.println("The suite is already running (pid " + pid + "): stop it with 'bin/run down'.");
                System.exit(1);
            }
        }
        Files.createDirectories(workDir);
        // written whole, then moved into place: 'bin/run down' reads it as soon as it exists
        Path written = Files.writeString(workDir.resolve("suite.pid.tmp"), ProcessHandle.current().pid() + "\n");
        Files.move(written, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        OUT.println("Starting the suite (files and logs under " + workDir + ")");
        Suite suite = Suite.start(Suite.Options.defaults(root, workDir), OUT, Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        // before the processes' own safety nets, which would stop everything at once
        ExitActions.atExit(ExitActions.Stage.ORDERLY, "suite-shutdown", () -> {
            OUT.println("Stopping the suite...");
            suite.close();
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // best effort
            }
            OUT.println("Stopped.");
            stopped.countDown();
        });

        RestoreReport.await(suite, Duration.ofMinutes(2), OUT);
        if (demo) {
            try {
                new Demo(suite, root, OUT).run();
            } catch (RuntimeException e) {
                OUT.println("The demo failed: " + e.getMessage());
                OUT.println("Service logs: " + workDir.resolve("logs"));
            }
        }
        printWhere(suite);
        stopped.await();
    }

    private static void printWhere(Suite suite) {
        Map<String, Integer> ports = suite.options().servicePorts();
        OUT.println();
        OUT.println("The suite is running:");
        OUT.printf("  deployer API      http://127.0.0.1:%d/deployments/?namespace=default  (Swagger UI: /q/swagger-ui)%n", ports.get(Suite.DEPLOYER));
        OUT.printf("  API token         %s  (send as 'Authorization: Bearer <token>')%n", suite.tokenFile());
        OUT.printf("  signing key       %s  (key %s signs deploy requests on Kafka for namespace default:%n"
                + "                    deployctl deploy --signing-key-file <that file>, or DEPLOY_SIGNING_KEY=<its last line> for%n"
                + "                    examples/ci/deploy-with-kcat.sh)%n", suite.signingKeysFile(), Suite.SIGNING_KEY_ID);
        OUT.printf("  health dashboard  http://127.0.0.1:%d/%n", ports.get(Suite.HEALTH));
        OUT.printf("  lb-config API     http://127.0.0.1:%d/agents  (every switch waits for both agents below)%n",
                ports.get(Suite.LB_CONFIG));
        for (String agent : Suite.AGENTS) {
            OUT.printf("  HAProxy agent     %s: http://127.0.0.1:%d/status, its HAProxy's stats %s%n", Suite.agentId(agent),
                    ports.get(agent), suite.statsUrl(agent));
        }
        OUT.printf("  apps via HAProxy  %s, both HAProxies on that port  (e.g. curl -H 'Host: %s' %s/)%n", suite.publicUrl(),
                DEMO_HOST, suite.publicUrl());
        OUT.printf("  log-shipper       http://127.0.0.1:%d/q/health; logs stand-in for Graylog: %s%n", ports.get(Suite.LOG_SHIPPER), suite.gelfFile());
        OUT.printf("  Kafka             %s, etcd %s%n", suite.kafkaBootstrap(), suite.etcd().endpoint());
        OUT.println("Stop it with Ctrl-C, or 'bin/run down' from another terminal.");
    }

    private static void down(Path workDir) throws Exception {
        Path pidFile = workDir.resolve("suite.pid");
        if (!Files.exists(pidFile)) {
            OUT.println("The suite is not running.");
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            Files.deleteIfExists(pidFile);
            OUT.println("The suite is not running (stale pid file removed).");
            return;
        }
        OUT.println("Stopping the suite (pid " + pid + ")...");
        handle.get().destroy();
        handle.get().onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
        OUT.println("Stopped.");
    }

    /** Deploys the sample app twice under steady traffic and reports what happened. */
    static final class Demo {
        private final Suite suite;
        private final Path root;
        private final PrintStream out;

        Demo(Suite suite, Path root, PrintStream out) {
            this.suite = suite;
            this.root = root;
            this.out = out;
        }

        void run() throws Exception {
            DeployerClient deployer = new DeployerClient(suite.service(Suite.DEPLOYER).url(""), suite.token());
            String descriptorId = deployer.createDescriptor("default",
                    SampleAppDescriptor.json(root, "default", "demo", DEMO_HOST, 2, Map.of()));
            out.println();
            out.println("Demo: deploying the sample app 'demo', version 1, two replicas, behind " + DEMO_HOST);
            DeploymentFinished v1 = deployAndFollow(deployer, descriptorId);
            if (v1.status() != DeploymentStatus.DEPLOYED) {
                throw new IllegalStateException("version 1 ended " + v1.status() + ": " + v1.reason());
            }
            try (TrafficGenerator traffic = TrafficGenerator.start(suite.options().lbPublicPort(), DEMO_HOST, "/",
                    1_000_000, Duration.ofMinutes(10), Duration.ofMillis(2))) {
                awaitAnswer(traffic, "version " + v1.version());
                out.println();
                out.println("Demo: steady traffic through HAProxy; deploying version 2 beside version 1");
                DeploymentFinished v2 = deployAndFollow(deployer, descriptorId);
                if (v2.status() == DeploymentStatus.DEPLOYED) {
                    awaitAnswer(traffic, "version " + v2.version());
                }
                long settle = traffic.sent() + 200;
                while (traffic.isRunning() && traffic.sent() < settle) {
                    Thread.sleep(20);
                }
                traffic.close();
                out.println();
                out.println("What happened:");
                out.printf("  now answering     %s%n", traffic.lastBody());
                out.printf("  requests sent     %,d%n", traffic.sent());
                out.printf("  requests failed   %,d%s%n", traffic.failed(), traffic.failed() == 0 ? "" : "  " + traffic.failures());
                traffic.answers().forEach((body, n) -> out.printf("    %,8d x %s%n", n, body));
            }
            out.printf("  logs              the pods' output went through Kafka (container-logs) and log-shipper as GELF to%n"
                    + "                    %s (%s)%n", suite.gelfFile(), countLines(suite.gelfFile()));
        }

        private DeploymentFinished deployAndFollow(DeployerClient deployer, String descriptorId) {
            try (DeployEventsFollower follower = new DeployEventsFollower(suite.kafkaBootstrap())) {
                String id = deployer.deploy("default", descriptorId);
                out.println("  deployment " + id);
                return follower.follow(id, out, Duration.ofMinutes(3));
            }
        }

        private void awaitAnswer(TrafficGenerator traffic, String text) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!traffic.lastBody().contains(text)) {
                if (System.nanoTime() > deadline || !traffic.isRunning()) {
                    throw new IllegalStateException("HAProxy never answered with '" + text + "'; last answer: '"
                            + traffic.lastBody() + "', failures: " + traffic.failures());
                }
                Thread.sleep(20);
            }
        }

        private static String countLines(Path file) {
            try {
                if (!Files.exists(file)) {
                    return "no messages yet";
                }
                try (var lines = Files.lines(file)) {
                    return lines.count() + " messages so far";
                }
            } catch (IOException e) {
                return "unreadable: " + e.getMessage();
            }
        }
    }
}
