package io.bgdeploy.infra.chaos;

import io.bgdeploy.infra.DeployerClient;
import io.bgdeploy.infra.HttpCheck;
import io.bgdeploy.infra.IsolatedHost;
import io.bgdeploy.infra.SampleAppDescriptor;
import io.bgdeploy.infra.ServiceProcess;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chaos run ({@code bin/chaos}): starts the suite on free ports, keeps keep-alive load on two
 * apps through the public port that the suite's two HAProxies share, and injects one fault per row
 * (an HAProxy fault hits the first agent's HAProxy) while three deployments run; then prints
 * per fault what happened to deployments, versions, requests and log lines as a Markdown table.
 */
public final class ChaosRun {

    private static final PrintStream OUT = System.out;
    private static final String NAMESPACE = "default";
    /** App name and the short code its requests' markers carry. */
    private static final Map<String, String> APPS = apps();
    private static final Duration DEPLOYMENT_DEADLINE = Duration.ofMinutes(3);
    private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(60);
    private static final Duration LOG_DELIVERY_DEADLINE = Duration.ofSeconds(60);
    /** How long into a deployment the fault is injected. */
    private static final Duration FAULT_AFTER = Duration.ofSeconds(3);
    private static final Duration ETCD_STOPPED = Duration.ofSeconds(30);
    /** Shorter than the deployer's wait for a switch (30 s): the switch in flight should complete once healed. */
    private static final Duration PARTITIONED = Duration.ofSeconds(20);
    private static final Pattern VERSION = Pattern.compile("version (\\S+)$");
    /** How often a killed HAProxy is asked whether it answers again. */
    private static final Duration ANSWER_POLL = Duration.ofMillis(10);
    /**
     * The agent whose HAProxy, or the agent itself, the HAProxy rows kill; the suite's second HAProxy
     * on the same public port keeps serving meanwhile.
     */
    private static final String KILLED_AGENT = Suite.LB_AGENT;

    /** One fault: injects it, waits for the suite to come back and says how that went. */
    @FunctionalInterface
    interface Injection {
        String inject(List<String> notes) throws Exception;
    }

    /** What a row does before its load and deployments start, or after its figures are taken. */
    @FunctionalInterface
    interface Step {
        void run(List<String> notes) throws Exception;

        Step NOTHING = notes -> {
        };
    }

    record Fault(String name, Step before, Injection injection, Step after) {

        static Fault of(String name, Injection injection) {
            return new Fault(name, Step.NOTHING, injection, Step.NOTHING);
        }
    }

    private static Map<String, String> apps() {
        Map<String, String> apps = new LinkedHashMap<>();
        apps.put("chaos-a", "a");
        apps.put("chaos-b", "b");
        return apps;
    }

    private final Suite suite;
    private final List<String> rowWords;
    private final Path root;
    private final Path dir;
    private final String runId;
    private final DeployerClient deployer;
    private final ReceivedLogLines received;
    private final Map<String, String> descriptorIds = new LinkedHashMap<>();
    /** Every HAProxy process seen under the agent, so that none outlives the run. */
    private final Set<ProcessHandle> haproxies = new HashSet<>();
    private Path script;
    /** The isolated load balancer of the partition row, while it runs. */
    private IsolatedLoadBalancer isolated;

    private ChaosRun(Suite suite, Path root, Path dir, String runId, List<String> rowWords) {
        this.suite = suite;
        this.rowWords = rowWords;
        this.root = root;
        this.dir = dir;
        this.runId = runId;
        this.deployer = new DeployerClient(suite.service(Suite.DEPLOYER).url(""), suite.token());
        this.received = new ReceivedLogLines(suite.gelfFile());
    }

    /**
     * @param args words of the rows to run (e.g. {@code partition}, {@code kill}); every row when none
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path workDir = root.resolve(".suite-chaos");
        deleteRecursively(workDir);
        String runId = "chaos" + Instant.now().getEpochSecond();
        OUT.println("Chaos run " + runId + ": the suite on free ports, files and logs under " + workDir);
        Suite suite = Suite.start(Suite.Options.freePorts(root, workDir), OUT, Map.of());
        ChaosRun run = new ChaosRun(suite, root, workDir.resolve("chaos"), runId, List.of(args));
        try {
            List<FaultResult> rows = run.run();
            String table = ChaosReport.table(rows);
            Files.writeString(workDir.resolve("chaos-report.md"), table);
            OUT.println();
            OUT.println(table);
            OUT.println("Report written to " + workDir.resolve("chaos-report.md"));
        } finally {
            suite.close();
            run.stopLeftovers();
        }
    }

    private List<FaultResult> run() throws Exception {
        Files.createDirectories(dir);
        script = KeepAliveLoad.script(dir);
        List<String> setup = new ArrayList<>();
        for (String app : APPS.keySet()) {
            descriptorIds.put(app, deployer.createDescriptor(NAMESPACE,
                    SampleAppDescriptor.json(root, NAMESPACE, app, host(app), 1, Map.of("CHAOS_RUN", runId))));
        }
        say("first version of each app");
        Map<String, String> first = new LinkedHashMap<>();
        APPS.keySet().forEach(app -> first.put(app, deploy(app, setup)));
        for (var e : first.entrySet()) {
            String status = awaitFinal(e.getValue(), setup);
            if (!"DEPLOYED".equals(status)) {
                throw new IllegalStateException("the first deployment of " + e.getKey() + " ended " + status
                        + " " + setup + "; service logs: " + suite.options().workDir().resolve("logs"));
            }
        }
        awaitOrFail("both apps answer through HAProxy", RECOVERY_DEADLINE, this::allAppsAnswer);

        List<FaultResult> rows = new ArrayList<>();
        List<Fault> faults = faults().stream().filter(f -> rowWords.isEmpty() || rowWords.stream()
                .anyMatch(w -> f.name().toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT))))
                .toList();
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            say("row " + (i + 1) + "/" + faults.size() + ": " + fault.name());
            FaultResult result = row("r" + i, fault);
            rows.add(result);
            say("row done: " + ChaosReport.row(result));
        }
        return rows;
    }

    private List<Fault> faults() {
        List<Fault> faults = new ArrayList<>();
        faults.add(Fault.of("none (baseline)", notes -> "nothing injected"));
        for (String module : List.of(Suite.DEPLOYER, Suite.LB_CONFIG, Suite.HEALTH, Suite.LOG_SHIPPER)) {
            faults.add(Fault.of("kill -9 " + module, notes -> killAndRestart(suite.service(module))));
        }
        faults.add(Fault.of("kill -9 HAProxy agent", notes -> {
            ServiceProcess agent = agent();
            if (agent.name().equals(Suite.LB_CONFIG)) {
                notes.add("the agent runs inside lb-config-service: the same process as above");
            }
            return killAndRestart(agent);
        }));
        faults.add(Fault.of("kill -9 HAProxy worker", this::killHaproxyWorker));
        faults.add(Fault.of("kill -9 HAProxy master", this::killHaproxyMaster));
        faults.add(Fault.of("etcd stopped (SIGSTOP) for " + ETCD_STOPPED.toSeconds() + " s", notes -> stopEtcd()));
        faults.add(Fault.of("Kafka broker restarted", notes -> restartKafka()));
        faults.add(new Fault("network partition of a third HAProxy (its own host's link down for "
                + PARTITIONED.toSeconds() + " s)", this::startIsolatedLoadBalancer, notes -> partition(),
                this::stopIsolatedLoadBalancer));
        return faults;
    }

    private FaultResult row(String row, Fault fault) {
        List<String> notes = new ArrayList<>();
        try {
            fault.before().run(notes);
        } catch (Exception e) {
            say(fault.name() + ": not run: " + e.getMessage());
            return FaultResult.notRun(fault.name(), "not run: " + e.getMessage());
        }
        List<KeepAliveLoad> loads = new ArrayList<>();
        APPS.forEach((app, code) -> loads.add(KeepAliveLoad.start(script, dir, suite.options().lbPublicPort(),
                host(app), row, code)));
        List<String> appNames = List.copyOf(APPS.keySet());
        List<String> statuses = new ArrayList<>();
        String recovery;
        try {
            String during = deploy(appNames.get(0), notes);
            pause(FAULT_AFTER);
            long t0 = System.nanoTime();
            try {
                recovery = fault.injection().inject(notes);
            } catch (Exception e) {
                recovery = "not recovered: " + e.getMessage();
            }
            say(fault.name() + ": " + recovery + " (" + seconds(t0) + " s)");
            statuses.add(awaitFinal(during, notes));
            List<String> after = new ArrayList<>();
            for (String app : List.of(appNames.get(1), appNames.get(0))) {
                after.add(deploy(app, notes));
            }
            after.forEach(id -> statuses.add(awaitFinal(id, notes)));
            if (!awaitCondition(RECOVERY_DEADLINE, this::allAppsAnswer)) {
                notes.add("an app still failed through HAProxy " + RECOVERY_DEADLINE.toSeconds() + " s after the deployments");
            }
        } catch (RuntimeException e) {
            recovery = "row aborted: " + e.getMessage();
        }
        LoadFigures load = LoadFigures.NONE;
        Set<String> written = new HashSet<>();
        long longestGap = 0;
        for (KeepAliveLoad l : loads) {
            load = load.alongside(l.stop());
            written.addAll(l.answeredMarkers());
            longestGap = Math.max(longestGap, l.longestGapSeconds());
        }
        Map<String, Set<String>> serving = servingVersions(notes);
        Map<String, Set<String>> running = RunningVersions.byApp(RunningVersions.pods(runId));
        awaitCondition(LOG_DELIVERY_DEADLINE, () -> received.markers().containsAll(written));
        Set<String> got = received.markers();
        long arrived = written.stream().filter(got::contains).count();
        if (arrived < written.size()) {
            notes.add("log lines not received include " + written.stream().filter(m -> !got.contains(m)).sorted()
                    .limit(3).toList());
        }
        if (load.failed() > 0) {
            notes.add("failed requests: " + load.non2xx() + " non-2xx, " + load.unanswered() + " without an answer");
        }
        int deployed = (int) statuses.stream().filter("DEPLOYED"::equals).count();
        int stuck = (int) statuses.stream().filter("stuck"::equals).count();
        int failed = (int) statuses.stream().filter(s -> !s.equals("DEPLOYED") && !s.equals("stuck")).count();
        if (!allServicesReady()) {
            notes.add("not every service was ready at the end of the row");
        }
        try {
            fault.after().run(notes);
        } catch (Exception e) {
            notes.add("cleaning up after the row failed: " + e.getMessage());
        }
        return new FaultResult(fault.name(), recovery, deployed, failed, stuck, serving, running, load, longestGap,
                written.size(), arrived, notes);
    }

    // --- faults

    private String killAndRestart(ServiceProcess service) {
        rememberHaproxies();
        service.kill();
        long t0 = System.nanoTime();
        service.restart();
        return "restarted, ready after " + seconds(t0) + " s";
    }

    private String killHaproxyWorker(List<String> notes) {
        ProcessHandle master = haproxyMaster().orElseThrow(() -> new IllegalStateException("no HAProxy master found"));
        ProcessHandle worker = haproxyWorker(master).orElseThrow(() -> new IllegalStateException("no HAProxy worker under master " + master.pid()));
        rememberHaproxies();
        worker.destroyForcibly();
        return awaitReplacement(System.nanoTime(), List.of(master, worker), "worker", notes);
    }

    private String killHaproxyMaster(List<String> notes) {
        ProcessHandle master = haproxyMaster().orElseThrow(() -> new IllegalStateException("no HAProxy master found"));
        List<ProcessHandle> killed = new ArrayList<>(master.children().toList());
        killed.add(master);
        rememberHaproxies();
        master.destroyForcibly();
        return awaitReplacement(System.nanoTime(), killed, "master", notes);
    }

    /**
     * After one of the two HAProxies lost its {@code what}: when every app answered through the shared
     * public port again (the other HAProxy), and when the killed HAProxy's processes were gone (HAProxy
     * 2.6 takes the whole process tree down) and the agent's new HAProxy answered on its own stats
     * port. Asked every {@link #ANSWER_POLL}, so the figures are to within that.
     */
    private String awaitReplacement(long since, List<ProcessHandle> killed, String what, List<String> notes) {
        boolean answered = awaitCondition(RECOVERY_DEADLINE, ANSWER_POLL, this::allAppsAnswerNow);
        String answeredAfter = seconds(since, 2);
        boolean gone = awaitCondition(RECOVERY_DEADLINE, ANSWER_POLL, () -> killed.stream().noneMatch(ProcessHandle::isAlive));
        boolean replaced = gone && awaitCondition(RECOVERY_DEADLINE, ANSWER_POLL, () -> haproxyMaster()
                .filter(m -> killed.stream().noneMatch(k -> k.pid() == m.pid())).flatMap(this::haproxyWorker).isPresent()
                && statsAnswer(KILLED_AGENT));
        if (!replaced) {
            return repairLoadBalancer("no new HAProxy of " + Suite.agentId(KILLED_AGENT) + " answering "
                    + RECOVERY_DEADLINE.toSeconds() + " s after its " + what + " was killed", notes);
        }
        String replacedAfter = seconds(since, 2);
        return (answered ? "every app answered through the shared port after " + answeredAfter + " s"
                : "the apps did not answer through the shared port") + "; the killed HAProxy's replacement answered after "
                + replacedAfter + " s";
    }

    /** Whether the stats page of the HAProxy that {@code agentService} runs answers 200 on a new connection. */
    private boolean statsAnswer(String agentService) {
        return HttpCheck.answersOk(suite.statsUrl(agentService), Duration.ofSeconds(1));
    }

    /** One request per app on a new connection, each answered 2xx. */
    private boolean allAppsAnswerNow() {
        for (String app : APPS.keySet()) {
            try {
                TrafficGenerator.get(suite.options().lbPublicPort(), host(app), "/");
            } catch (IOException | RuntimeException notYet) {
                return false;
            }
        }
        return true;
    }

    /** What an operator does when HAProxy does not come back: every HAProxy process and the agent restarted. */
    private String repairLoadBalancer(String what, List<String> notes) {
        notes.add(what + "; operator restarted the agent and its HAProxy");
        rememberHaproxies();
        ServiceProcess agent = agent();
        agent.kill();
        haproxies.forEach(ProcessHandle::destroyForcibly);
        agent.restart();
        return "not recovered (" + what + ")";
    }

    private String stopEtcd() throws Exception {
        long pid = suite.etcd().process().pid();
        signal("STOP", pid);
        try {
            pause(ETCD_STOPPED);
        } finally {
            signal("CONT", pid);
        }
        long t0 = System.nanoTime();
        awaitOrFail("etcd healthy and every service ready", RECOVERY_DEADLINE,
                () -> suite.etcd().isHealthy() && allServicesReady());
        return "resumed; etcd healthy and every service ready after " + seconds(t0) + " s";
    }

    private String restartKafka() {
        var kafka = suite.kafka();
        kafka.process().stop(Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        kafka.process().restart();
        awaitOrFail("Kafka serving", RECOVERY_DEADLINE, kafka::isServing);
        String serving = seconds(t0);
        awaitOrFail("every service ready", RECOVERY_DEADLINE, this::allServicesReady);
        return "restarted; serving after " + serving + " s, every service ready after " + seconds(t0) + " s";
    }

    private void startIsolatedLoadBalancer(List<String> notes) {
        String why = IsolatedHost.unavailableBecause();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        isolated = IsolatedLoadBalancer.start(suite, dir.resolve("isolated-lb"));
        awaitOrFail("the isolated HAProxy answers for every app", RECOVERY_DEADLINE,
                () -> isolated.isReady() && APPS.keySet().stream().allMatch(app -> isolated.answer(host(app)).isPresent()));
        notes.add("load through the suite's two HAProxies; a third, on its own host, was cut off");
    }

    private String partition() {
        isolated.cut();
        try {
            pause(PARTITIONED);
        } finally {
            isolated.heal();
        }
        long t0 = System.nanoTime();
        awaitOrFail("the isolated HAProxy's agent ready again", RECOVERY_DEADLINE, isolated::isReady);
        return "healed; the isolated HAProxy's agent ready again after " + seconds(t0) + " s";
    }

    private void stopIsolatedLoadBalancer(List<String> notes) {
        if (isolated == null) {
            return;
        }
        String problem = isolated.stop(suite.service(Suite.LB_CONFIG).url(""), suite.token(), RECOVERY_DEADLINE);
        if (problem != null) {
            notes.add(problem);
        }
        isolated = null;
    }

    /** The process that runs the HAProxy agent the faults hit: lb-agent where the suite has one, else lb-config. */
    private ServiceProcess agent() {
        ServiceProcess agent = suite.service(KILLED_AGENT);
        return agent != null ? agent : suite.service(Suite.LB_CONFIG);
    }

    /**
     * The HAProxy master of {@link #KILLED_AGENT}: an HAProxy process on that agent's configuration file
     * whose parent is not one. Found by its command line, not its parent: an agent that was restarted
     * adopts the HAProxy its killed predecessor started, which init has inherited.
     */
    private Optional<ProcessHandle> haproxyMaster() {
        List<ProcessHandle> ours = haproxyProcesses();
        return ours.stream().filter(p -> p.parent().map(parent -> !ours.contains(parent)).orElse(true)).findFirst();
    }

    private List<ProcessHandle> haproxyProcesses() {
        // the arguments of /proc/<pid>/cmdline end with a NUL each
        String configArgument = suite.haproxyConfigFile(KILLED_AGENT) + "\0";
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/haproxy")).orElse(false))
                .filter(p -> commandLine(p.pid()).contains(configArgument)).toList();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    private Optional<ProcessHandle> haproxyWorker(ProcessHandle master) {
        return master.children().filter(p -> haproxyProcesses().contains(p)).findFirst();
    }

    private void rememberHaproxies() {
        haproxies.addAll(haproxyProcesses());
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        int code = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " exited " + code);
        }
    }

    // --- deployments and checks

    private String deploy(String app, List<String> notes) {
        try {
            String id = deployer.deploy(NAMESPACE, descriptorIds.get(app));
            say("deploying " + app + ": " + id);
            return id;
        } catch (RuntimeException e) {
            notes.add("a deploy request for " + app + " was refused: " + e.getMessage());
            return null;
        }
    }

    /** The final status of a deployment, "refused" if it was never accepted, "stuck" past the deadline. */
    private String awaitFinal(String deploymentId, List<String> notes) {
        if (deploymentId == null) {
            return "refused";
        }
        long deadline = System.nanoTime() + DEPLOYMENT_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var deployment = deployer.deployment(NAMESPACE, deploymentId);
                String status = deployment.path("status").asText();
                if (status.equals("DEPLOYED") || status.equals("FAILURE") || status.equals("UNDEPLOYED")) {
                    String reason = deployment.path("reason").asText("");
                    say("  " + deploymentId + " " + status + (reason.isEmpty() ? "" : ": " + reason));
                    if (!status.equals("DEPLOYED")) {
                        notes.add(status + ": " + (reason.isEmpty() ? "no reason given" : reason));
                    }
                    return status;
                }
            } catch (RuntimeException deployerAway) {
                // asked again until the deadline
            }
            pause(Duration.ofMillis(500));
        }
        say("  " + deploymentId + " stuck");
        return "stuck";
    }

    private boolean allServicesReady() {
        return suite.services().values().stream().allMatch(ServiceProcess::isReady);
    }

    private boolean allAppsAnswer() {
        return APPS.keySet().stream().allMatch(app -> sample(app, 1).failed() == 0);
    }

    /** Per app, the versions that answered 20 requests with a connection each. */
    private Map<String, Set<String>> servingVersions(List<String> notes) {
        Map<String, Set<String>> versions = new TreeMap<>();
        for (String app : APPS.keySet()) {
            TrafficGenerator t = sample(app, 20);
            Set<String> seen = new TreeSet<>();
            t.answers().keySet().forEach(body -> {
                Matcher m = VERSION.matcher(body);
                if (m.find()) {
                    seen.add(m.group(1));
                }
            });
            if (t.failed() > 0) {
                notes.add(app + ": " + t.failed() + " of 20 sample requests failed at the end");
            }
            if (isolated != null) {
                Set<String> second = new TreeSet<>();
                int unanswered = 0;
                for (int i = 0; i < 20; i++) {
                    Optional<String> body = isolated.answer(host(app));
                    body.map(VERSION::matcher).filter(Matcher::find).ifPresent(m -> second.add(m.group(1)));
                    unanswered += body.isEmpty() ? 1 : 0;
                }
                notes.add(app + " through the isolated HAProxy: " + (second.isEmpty() ? "no version" : String.join(", ", second))
                        + (unanswered > 0 ? " (" + unanswered + " of 20 unanswered)" : ""));
                seen.addAll(second);
            }
            versions.put(app, seen);
        }
        return versions;
    }

    private TrafficGenerator sample(String app, int requests) {
        TrafficGenerator t = TrafficGenerator.start(suite.options().lbPublicPort(), host(app), "/", requests,
                Duration.ofSeconds(30), Duration.ZERO);
        awaitCondition(Duration.ofSeconds(40), () -> !t.isRunning());
        t.close();
        return t;
    }

    private static String host(String app) {
        return app + ".localhost";
    }

    /** Pods and HAProxy processes of this run that a crash left behind, stopped by their pid. */
    private void stopLeftovers() {
        if (isolated != null) {
            isolated.close();
        }
        RunningVersions.pods(runId).forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
        haproxies.forEach(ProcessHandle::destroyForcibly);
    }

    // --- waiting

    private static boolean awaitCondition(Duration timeout, BooleanSupplier condition) {
        return awaitCondition(timeout, Duration.ofMillis(250), condition);
    }

    private static boolean awaitCondition(Duration timeout, Duration poll, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(poll);
        }
        return condition.getAsBoolean();
    }

    private static void awaitOrFail(String what, Duration timeout, BooleanSupplier condition) {
        if (!awaitCondition(timeout, condition)) {
            throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s");
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String seconds(long since) {
        return seconds(since, 1);
    }

    private static String seconds(long since, int decimals) {
        return String.format("%." + decimals + "f", (System.nanoTime() - since) / 1e9);
    }

    private static void say(String message) {
        OUT.printf("[%s] %s%n", Instant.now().toString().substring(11, 19), message);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
