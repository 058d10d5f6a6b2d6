package io.bgdeploy.localplatform;

import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real local processes: the built-in server, several containers per pod, logs, restarts, memory
 * limits, adoption after a supervisor restart and take-over from a sibling supervisor.
 */
class LocalPlatformTest {

    @TempDir
    Path stateDir;

    private final List<ContainerLogRecord> logs = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<LocalPlatform> platforms = new CopyOnWriteArrayList<>();

    private final List<Process> supervisors = new CopyOnWriteArrayList<>();

    private LocalPlatform platform() {
        return platform(LocalPlatform.Supervisor.current());
    }

    /** The niceness of the containers of the platforms made after it is set. */
    private int podNiceness;

    /** While set, the sink refuses every record, as a producer whose broker is away. */
    private final AtomicBoolean sinkDown = new AtomicBoolean();

    private LocalPlatform platform(LocalPlatform.Supervisor supervisor) {
        return platform(supervisor, 1 << 20);
    }

    private LocalPlatform platform(LocalPlatform.Supervisor supervisor, long maxLogFileBytes) {
        return platform(supervisor, maxLogFileBytes, Duration.ofSeconds(2), LocalPlatformTest::kernelPort);
    }

    private static int kernelPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private LocalPlatform platform(LocalPlatform.Supervisor supervisor, long maxLogFileBytes, Duration grace,
                                   java.util.function.IntSupplier ports) {
        LocalPlatform p = new LocalPlatform(new LocalPlatform.Settings(Map.of(), List.of("nginx"), stateDir,
                Duration.ofMillis(100), Duration.ofMillis(400), grace, "local", Duration.ofMillis(200),
                podNiceness, supervisor, maxLogFileBytes, "local."), record -> {
                    if (sinkDown.get()) {
                        return CompletableFuture.failedFuture(new IllegalStateException("broker away"));
                    }
                    logs.add(record);
                    return CompletableFuture.completedFuture(null);
                }, ports);
        platforms.add(p);
        return p;
    }

    /** A container that writes {@code line 0} … {@code line <count-1>} to stdout, then sleeps. */
    private static LaunchSpec writer(String app, int count, String pause) {
        return spec(app, command("writer", "sh", "-c",
                "i=0; while [ $i -lt %d ]; do echo line $i; i=$((i+1)); sleep %s; done; exec sleep 600".formatted(count, pause)));
    }

    /** The lines of one app's records, in the order received. */
    private List<String> linesOf(String app) {
        return logs.stream().filter(l -> app.equals(l.app())).map(ContainerLogRecord::line).toList();
    }

    private static List<String> numberedLines(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "line " + i).toList();
    }

    private Path stdoutFile(String podName) {
        return ContainerLogFiles.podDir(stateDir, "default", podName).resolve("writer.stdout.log");
    }

    /** A supervising process other than this JVM, that the test ends when that supervisor should die. */
    private Process otherSupervisorProcess() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        supervisors.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        platforms.forEach(LocalPlatform::stopAll);
        supervisors.forEach(Process::destroyForcibly);
    }

    /** The pids of a workload's containers, by container name, from its pod state file. */
    private Map<String, Long> containerPids(String podName) throws Exception {
        LocalPodState state = LocalPlatform.JSON.readValue(stateDir.resolve("pods").resolve("default_" + podName + ".json")
                .toFile(), LocalPodState.class);
        return state.containers().stream().collect(java.util.stream.Collectors.toMap(LocalPodState.Container::name,
                LocalPodState.Container::pid));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean refused(int port) throws Exception {
        try {
            get(port, "/");
            return false;
        } catch (java.io.IOException refused) {
            return true;
        }
    }

    private final PodListener listener = new PodListener() {
        @Override
        public void podRunning(RunningPod pod) {
            events.add("running " + pod.name());
        }

        @Override
        public void podRestarted(RunningPod pod, String container, int restartCount, String reason) {
            events.add("restarted " + container + " " + restartCount + " " + reason);
        }

        @Override
        public void podGone(String podName, String reason) {
            events.add("gone " + podName);
        }
    };

    /**
     * One pod of version 1 of the app, with the variables a deployer would give every container (the
     * built-in server answers with APP_NAME and APP_VERSION).
     */
    private static LaunchSpec spec(String app, LaunchSpec.Container... containers) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("APP_NAME", app);
        env.put("APP_VERSION", "1");
        env.put("POD_NAMESPACE", "default");
        return new LaunchSpec("default", app + "-1", app, "1", "dep-" + app, 1, env, List.of(), List.of(containers));
    }

    /** A container of image nginx, which runs the built-in HTTP server. */
    private static LaunchSpec.Container nginx(String name, Integer... ports) {
        return new LaunchSpec.Container(name, "nginx", List.of(), List.of(), List.of(), List.of(ports), 0);
    }

    private static LaunchSpec.Container command(String name, String... command) {
        return limited(name, 0, command);
    }

    private static LaunchSpec.Container limited(String name, long memoryLimitBytes, String... command) {
        return new LaunchSpec.Container(name, "busybox", List.of(command), List.of(), List.of(), List.of(), memoryLimitBytes);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anNginxImageRunsTheBuiltinServerOnTheMappedPortAndItsLinesBecomeLogRecords() throws Exception {
        LocalPlatform platform = platform();
        platform.create(spec("web", nginx("nginx", 80)), listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "web-1").isEmpty());
        RunningPod pod = platform.pods("default", "web-1").get(0);
        int port = pod.ports().get(80);
        assertThat(port).isNotEqualTo(80);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> get(port, "/").body().contains("Hello from web version 1"));
        assertThat(get(port, "/health").body()).contains("\"healthy\": true");
        assertThat(get(port, "/nope").statusCode()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream().anyMatch(l -> l.line().contains("GET /health")));
        ContainerLogRecord line = logs.stream().filter(l -> l.line().contains("GET /health")).findFirst().orElseThrow();
        assertThat(line.app()).isEqualTo("web");
        assertThat(line.version()).isEqualTo("1");
        assertThat(line.pod()).isEqualTo(pod.name());
        assertThat(line.container()).isEqualTo("nginx");
        assertThat(line.deploymentId()).isEqualTo("dep-web");
        assertThat(line.stream()).isEqualTo("stdout");

        platform.delete("default", "web-1");
        assertThat(platform.exists("default", "web-1")).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + pod.name()));
        assertThat(events).contains("running " + pod.name());
    }

    @Test
    void aProcessThatEndsIsRestartedAndCounted() throws Exception {
        LocalPlatform platform = platform();
        platform.create(spec("crashy", command("crashy", "/bin/false")), listener);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().filter(e -> e.startsWith("restarted")).count() >= 3);
        assertThat(events).contains("restarted crashy 1 Error (exit 1)", "restarted crashy 2 Error (exit 1)");
    }

    @Test
    void everyContainerOfAPodRunsWithThePodsPortsAndItsOwnLogsAndAllStopTogether() throws Exception {
        LocalPlatform platform = platform();
        platform.create(spec("duo", nginx("web", 80), new LaunchSpec.Container("agent", "busybox",
                List.of("sh", "-c", "echo agent on $(PORT) sees web on $(PORT_80); exec sleep 600"), List.of(), List.of(),
                List.of(9100), 0)), listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "duo-1").isEmpty());
        RunningPod pod = platform.pods("default", "duo-1").get(0);
        int web = pod.ports().get(80);
        int agent = pod.ports().get(9100);
        assertThat(agent).isNotEqualTo(9100).isNotEqualTo(web);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(web, "/").statusCode() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream().anyMatch(l -> "agent".equals(l.container())));
        ContainerLogRecord line = logs.stream().filter(l -> "agent".equals(l.container())).findFirst().orElseThrow();
        assertThat(line.line()).isEqualTo("agent on " + agent + " sees web on " + web);
        assertThat(line.pod()).isEqualTo(pod.name());
        Map<String, Long> pids = containerPids(pod.name());
        assertThat(pids.keySet()).containsExactlyInAnyOrder("web", "agent");
        assertThat(events).containsOnlyOnce("running " + pod.name());

        platform.scale("default", "duo-1", 0);

        assertThat(platform.pods("default", "duo-1")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + pod.name()));
        assertThat(pids.values()).as("both stopped before the pod was reported gone").noneMatch(LocalPlatformTest::alive);
    }

    @Test
    void aContainerOverItsMemoryLimitIsKilledAndRestartedAsOomKilledWhileOneUnderItKeepsRunning() throws Exception {
        LocalPlatform platform = platform();
        long limit = 24L << 20;
        platform.create(spec("mem",
                limited("hog", limit, "sh", "-c", "x=$(head -c 48000000 /dev/zero | tr '\\0' a); echo allocated; sleep 600"),
                limited("calm", limit, "sh", "-c", "x=$(head -c 4000000 /dev/zero | tr '\\0' a); echo allocated; sleep 600")),
                listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("restarted hog 2 OOMKilled"));
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream()
                .anyMatch(l -> "calm".equals(l.container()) && l.line().equals("allocated")));
        long calm = containerPids(onlyPod()).get("calm");
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> alive(calm));
        assertThat(events).noneMatch(e -> e.startsWith("restarted calm"));
    }

    @Test
    void containersRunTheConfiguredNicenessBelowTheSupervisorWithTheirOwnPidAndKeepItAcrossRestarts() throws Exception {
        podNiceness = 7;
        LocalPlatform platform = platform();
        platform.create(spec("nice", command("once", "sh", "-c",
                "if [ -e failed-once ]; then exec sleep 600; fi; touch failed-once; sleep 1; exit 3"), nginx("web", 8080)), listener);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> events.contains("running " + onlyPod()));
        String pod = onlyPod();
        Map<String, Long> pids = containerPids(pod);
        int own = niceness(ProcessHandle.current().pid());
        int expected = Math.min(PodPriority.HIGHEST_NICENESS, own + 7);
        assertThat(niceness(pids.get("web"))).as("7 above the supervisor's %d", own).isEqualTo(expected);
        assertThat(commandName(pids.get("web"))).as("nice ran the server in its own place").isEqualTo("java");
        long first = pids.get("once");
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("restarted once 1 Error (exit 3)"));
        await().atMost(Duration.ofSeconds(10)).until(() -> containerPids(pod).get("once") != first);
        long restarted = containerPids(pod).get("once");
        assertThat(niceness(restarted)).isEqualTo(expected);
    }

    @Test
    void aNicenessOutOfRangeIsRefusedNamingTheSetting() {
        podNiceness = 20;
        assertThatThrownBy(this::platform).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local.pod-niceness 20 is out of range");
        podNiceness = -1;
        assertThatThrownBy(this::platform).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local.pod-niceness -1 is out of range");
    }

    @Test
    void aNicenessWithoutTheNiceCommandIsRefusedAndZeroNeedsNone() {
        assertThatThrownBy(() -> PodPriority.of(5, "/nonexistent", "local."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the nice command");
        assertThat(PodPriority.of(0, "/nonexistent", "local.").commandPrefix()).isEmpty();
    }

    /** A process's niceness, field 19 of /proc/<pid>/stat (counted after the command name's parenthesis). */
    private static int niceness(long pid) throws Exception {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(afterName[16]);
    }

    private static String commandName(long pid) throws Exception {
        return java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
    }

    /** The name of the only pod in the state directory. */
    private String onlyPod() throws Exception {
        try (var files = java.nio.file.Files.list(stateDir.resolve("pods"))) {
            String file = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).findFirst().orElseThrow();
            return file.substring("default_".length(), file.length() - ".json".length());
        }
    }

    @Test
    void aRestartedSupervisorAdoptsThePodsThatStillRun() throws Exception {
        Process firstSupervisor = otherSupervisorProcess();
        LocalPlatform first = platform(LocalPlatform.Supervisor.of(firstSupervisor.toHandle()));
        first.create(spec("kept", nginx("web", 8080)), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.pods("default", "kept-1").isEmpty());
        int port = first.pods("default", "kept-1").get(0).ports().get(8080);
        String keptPod = first.pods("default", "kept-1").get(0).name();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(port, "/").statusCode() == 200);
        firstSupervisor.destroyForcibly().waitFor();
        first.abandon();
        // as a supervisor of a later version would have written it: fields this version does not know
        java.nio.file.Path keptState = stateDir.resolve("pods").resolve("default_" + keptPod + ".json");
        var written = (com.fasterxml.jackson.databind.node.ObjectNode) LocalPlatform.JSON.readTree(keptState.toFile());
        written.put("addedLater", 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) written.get("containers").get(0)).put("alsoAddedLater", "x");
        java.nio.file.Files.write(keptState, LocalPlatform.JSON.writeValueAsBytes(written));
        java.nio.file.Files.writeString(stateDir.resolve("pods").resolve("default_old-1-bcdfg.json"), """
                {"namespace": "default", "workload": "old-1", "podName": "old-1-bcdfg", "pid": 1, "startedMillis": 0}""");

        LocalPlatform second = platform();
        assertThat(second.exists("default", "kept-1")).as("adopted only under the app's lock, not at startup").isFalse();

        assertThat(second.appsToTakeOver()).containsExactly("default/kept");
        assertThat(second.takeOver("default", "kept")).isTrue();
        assertThat(second.takeOver("default", "kept")).as("nothing more to adopt").isFalse();

        assertThat(second.exists("default", "old-1")).as("a state file of another format is ignored").isFalse();
        assertThat(second.exists("default", "kept-1")).isTrue();
        assertThat(second.appsToTakeOver()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> !second.pods("default", "kept-1").isEmpty());
        assertThat(second.pods("default", "kept-1").get(0).ports().get(8080)).isEqualTo(port);
        second.delete("default", "kept-1");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> refused(port));
    }

    @Test
    void aSiblingSupervisorTakesOverAnAppOnlyOnceItsSupervisorIsGone() throws Exception {
        Process supervisorA = otherSupervisorProcess();
        LocalPlatform a = platform(LocalPlatform.Supervisor.of(supervisorA.toHandle()));
        a.create(spec("shared", nginx("web", 8080), command("agent", "sleep", "600")), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !a.pods("default", "shared-1").isEmpty());
        String podName = a.pods("default", "shared-1").get(0).name();
        int port = a.pods("default", "shared-1").get(0).ports().get(8080);
        await().atMost(Duration.ofSeconds(20)).until(() -> containerPids(podName).keySet().equals(Set.of("web", "agent"))
                && containerPids(podName).values().stream().allMatch(LocalPlatformTest::alive));
        Map<String, Long> pids = containerPids(podName);

        LocalPlatform b = platform();
        assertThat(b.appsToTakeOver()).isEmpty();
        assertThat(b.takeOver("default", "shared")).isFalse();

        assertThat(b.exists("default", "shared-1")).as("A still runs: its pods stay its own").isFalse();

        supervisorA.destroyForcibly().waitFor();
        a.abandon();
        b.takeOver("default", "shared");
        b.takeOver("default", "shared");

        assertThat(b.workloads("default", "shared")).containsExactly("shared-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.pods("default", "shared-1").size() == 1);
        assertThat(b.pods("default", "shared-1").get(0).ports().get(8080)).isEqualTo(port);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(port, "/").statusCode() == 200);
        assertThat(containerPids(podName)).as("the same processes, now supervised by B").isEqualTo(pids);
        assertThat(LocalPlatform.JSON.readValue(stateDir.resolve("pods").resolve("default_" + podName + ".json").toFile(),
                LocalPodState.class).supervisor()).isEqualTo(LocalPlatform.Supervisor.current());
        b.delete("default", "shared-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.terminatingPods().isEmpty());
        assertThat(pids.values()).noneMatch(LocalPlatformTest::alive);
        assertThat(refused(port)).isTrue();
    }

    @Test
    void aKeptWorkloadOfAPlatformThatStoppedWithItsPodsIsStartedAgainAsNewPods() throws Exception {
        Process stoppedSupervisor = otherSupervisorProcess();
        LocalPlatform before = platform(LocalPlatform.Supervisor.of(stoppedSupervisor.toHandle()));
        LaunchSpec kept = spec("back", nginx("web", 8080));
        before.create(kept, listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !before.pods("default", "back-1").isEmpty());
        String oldPod = before.pods("default", "back-1").get(0).name();
        int oldPort = before.pods("default", "back-1").get(0).ports().get(8080);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(oldPort, "/").statusCode() == 200);
        before.stopAll();
        stoppedSupervisor.destroyForcibly().waitFor();
        assertThat(refused(oldPort)).isTrue();
        events.clear();

        LocalPlatform after = platform();
        assertThat(after.needsRestore(kept)).isTrue();
        assertThat(after.appsToTakeOver()).containsExactly("default/back");
        assertThat(after.takeOver("default", "back")).as("nothing runs to adopt").isFalse();
        assertThat(after.restore(kept, listener)).isTrue();

        await().atMost(Duration.ofSeconds(20)).until(() -> !after.pods("default", "back-1").isEmpty());
        RunningPod replacement = after.pods("default", "back-1").get(0);
        assertThat(replacement.name()).isNotEqualTo(oldPod);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                get(replacement.ports().get(8080), "/").statusCode() == 200);
        assertThat(events).containsExactly("gone " + oldPod, "running " + replacement.name());
        assertThat(LocalPlatform.JSON.readValue(stateDir.resolve("pods").resolve("default_" + replacement.name() + ".json")
                .toFile(), LocalPodState.class).containers()).allMatch(c -> c.restarts() == 0);
        assertThat(after.needsRestore(kept)).isFalse();
        assertThat(after.restore(kept, listener)).as("nothing more to start").isFalse();
        assertThat(after.appsToTakeOver()).isEmpty();
    }

    @Test
    void linesWrittenWhileNoSupervisorRunsAreDeliveredOnceTheNextOneAdoptsThePod() throws Exception {
        int count = 300;
        Process firstSupervisor = otherSupervisorProcess();
        LocalPlatform first = platform(LocalPlatform.Supervisor.of(firstSupervisor.toHandle()));
        first.create(writer("chatty", count, "0.02"), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> linesOf("chatty").size() >= 10);
        String podName = first.pods("default", "chatty-1").get(0).name();
        long pid = containerPids(podName).get("writer");

        firstSupervisor.destroyForcibly().waitFor();
        first.abandon();
        int receivedBeforeTheKill = linesOf("chatty").size();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                java.nio.file.Files.readString(stdoutFile(podName)).contains("line " + (count - 1) + "\n"));
        assertThat(receivedBeforeTheKill).as("the pod went on writing while no supervisor ran").isLessThan(count);
        assertThat(linesOf("chatty")).as("nothing reads while no supervisor runs").hasSize(receivedBeforeTheKill);

        LocalPlatform second = platform();
        assertThat(second.takeOver("default", "chatty")).isTrue();

        await().atMost(Duration.ofSeconds(20)).until(() -> linesOf("chatty").stream().distinct().count() >= count);
        assertThat(linesOf("chatty").stream().distinct().toList()).as("every line, in order")
                .containsExactlyElementsOf(numberedLines(count));
        assertThat(linesOf("chatty").size() - count).as("only lines of the round the kill interrupted come twice")
                .isLessThanOrEqualTo(receivedBeforeTheKill);
        assertThat(containerPids(podName).get("writer")).as("the same process, adopted").isEqualTo(pid);
        assertThat(logs).filteredOn(l -> "chatty".equals(l.app()))
                .allMatch(l -> l.pod().equals(podName) && l.container().equals("writer") && l.stream().equals("stdout"));
    }

    @Test
    void theLastLinesOfAPodThatEndedWhileNoSupervisorRanAreDeliveredAndItsFilesRemoved() throws Exception {
        Process firstSupervisor = otherSupervisorProcess();
        LocalPlatform first = platform(LocalPlatform.Supervisor.of(firstSupervisor.toHandle()));
        first.create(spec("brief", command("writer", "sh", "-c",
                "trap 'echo last words; echo to stderr >&2; kill $!; exit 3' TERM; echo started; sleep 600 & wait")), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> linesOf("brief").contains("started"));
        String podName = onlyPod();
        long pid = containerPids(podName).get("writer");

        firstSupervisor.destroyForcibly().waitFor();
        first.abandon();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));

        LocalPlatform second = platform();
        assertThat(second.takeOver("default", "brief")).as("nothing runs to adopt").isFalse();
        assertThat(linesOf("brief")).as("written after the kill, delivered by the next supervisor")
                .containsExactly("started", "last words", "to stderr");
        assertThat(logs).filteredOn(l -> l.line().equals("to stderr")).singleElement()
                .satisfies(l -> assertThat(l.stream()).isEqualTo("stderr"));
        assertThat(ContainerLogFiles.podDir(stateDir, "default", podName)).doesNotExist();
    }

    @Test
    void linesTheSinkRefusedAreSentAgainOnceItTakesThem() throws Exception {
        LocalPlatform platform = platform();
        sinkDown.set(true);
        platform.create(writer("patient", 50, "0.01"), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "patient-1").isEmpty());
        String podName = platform.pods("default", "patient-1").get(0).name();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                java.nio.file.Files.readString(stdoutFile(podName)).contains("line 49\n"));
        assertThat(linesOf("patient")).isEmpty();

        sinkDown.set(false);

        await().atMost(Duration.ofSeconds(20)).until(() -> linesOf("patient").stream().distinct().count() >= 50);
        assertThat(linesOf("patient").stream().distinct().toList()).containsExactlyElementsOf(numberedLines(50));
    }

    @Test
    void aLogFileOverTheSizeBoundIsTruncatedOnceItsLinesAreDeliveredAndNoneIsLost() throws Exception {
        LocalPlatform platform = platform(LocalPlatform.Supervisor.current(), 4096);
        platform.create(spec("verbose", command("writer", "sh", "-c", "for b in 0 1 2 3 4; do i=0; while [ $i -lt 400 ];"
                + " do echo line $((b*400+i)); i=$((i+1)); done; sleep 0.3; done; exec sleep 600")), listener);

        await().atMost(Duration.ofSeconds(60)).until(() -> linesOf("verbose").size() >= 2000);
        assertThat(linesOf("verbose")).containsExactlyElementsOf(numberedLines(2000));
        String podName = platform.pods("default", "verbose-1").get(0).name();
        await().atMost(Duration.ofSeconds(5)).until(() -> java.nio.file.Files.size(stdoutFile(podName)) <= 4096);
    }

    /**
     * A container (on {@code ports}) that writes {@code started}, and on SIGTERM writes {@code stopping},
     * runs {@code beforeEnd}, writes {@code last words} and a stderr line, and ends.
     */
    private static LaunchSpec stopping(String app, String beforeEnd, Integer... ports) {
        return spec(app, new LaunchSpec.Container("writer", "busybox", List.of("sh", "-c",
                "trap 'echo stopping; " + beforeEnd + "; echo last words; echo on stderr >&2; kill $!; exit 0' TERM;"
                        + " echo started; sleep 600 & wait"), List.of(), List.of(), List.of(ports), 0));
    }

    /** Waits, in a SIGTERM handler, until the file exists. */
    private static String untilExists(Path file) {
        return "while [ ! -f " + file + " ]; do sleep 0.05; done";
    }

    private LocalPlatform platformWithGrace(Duration grace) {
        return platform(LocalPlatform.Supervisor.current(), 1 << 20, grace, LocalPlatformTest::kernelPort);
    }

    private LocalPodState stateOf(String podName) throws Exception {
        return LocalPlatform.JSON.readValue(stateDir.resolve("pods").resolve("default_" + podName + ".json").toFile(),
                LocalPodState.class);
    }

    /** The name of the workload's only pod once it runs and its container wrote {@code started}. */
    private String startedPod(LocalPlatform platform, String app) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", app + "-1").isEmpty()
                && linesOf(app).contains("started"));
        return platform.pods("default", app + "-1").get(0).name();
    }

    @Test
    void aDeleteReturnsAtOnceAndThePodStopsInTheBackgroundWithTheLinesItWritesWhileStopping() throws Exception {
        LocalPlatform platform = platformWithGrace(Duration.ofMinutes(2));
        Path release = stateDir.resolve("release");
        platform.create(stopping("slow", untilExists(release)), listener);
        String podName = startedPod(platform, "slow");
        long pid = containerPids(podName).get("writer");

        platform.delete("default", "slow-1");

        assertThat(platform.exists("default", "slow-1")).as("gone from the listings at once").isFalse();
        assertThat(platform.workloads("default", "slow")).isEmpty();
        assertThat(platform.pods("default", "slow-1")).isEmpty();
        assertThat(platform.terminatingPods()).containsExactly("default/" + podName);
        assertThat(stateOf(podName).terminatingSince()).as("marked deleted in its state file").isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> linesOf("slow").contains("stopping"));
        assertThat(alive(pid)).as("still handling SIGTERM").isTrue();
        assertThat(events).doesNotContain("gone " + podName);

        java.nio.file.Files.createFile(release);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + podName));
        assertThat(alive(pid)).isFalse();
        assertThat(linesOf("slow")).as("every line, the last ones before the pod was reported gone")
                .containsSubsequence("started", "stopping", "last words").contains("on stderr");
        await().atMost(Duration.ofSeconds(5)).until(() -> platform.terminatingPods().isEmpty());
        assertThat(stateDir.resolve("pods").resolve("default_" + podName + ".json")).doesNotExist();
        assertThat(ContainerLogFiles.podDir(stateDir, "default", podName)).doesNotExist();
    }

    @Test
    void thePortsOfAStoppingPodGoToNoNewPodUntilItEnded() throws Exception {
        int held = kernelPort();
        java.util.Queue<Integer> offered = new java.util.concurrent.ConcurrentLinkedQueue<>(List.of(held));
        LocalPlatform platform = platform(LocalPlatform.Supervisor.current(), 1 << 20, Duration.ofMinutes(2), () -> {
            Integer next = offered.poll();
            return next != null ? next : kernelPort();
        });
        Path release = stateDir.resolve("release");
        platform.create(stopping("first", untilExists(release), 8080), listener);
        String first = startedPod(platform, "first");
        assertThat(platform.pods("default", "first-1").get(0).ports().get(8080)).isEqualTo(held);
        platform.delete("default", "first-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> linesOf("first").contains("stopping"));

        offered.addAll(List.of(held, held));
        platform.create(spec("second", new LaunchSpec.Container("web", "busybox", List.of("sleep", "600"), List.of(),
                List.of(), List.of(8080), 0)), listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "second-1").isEmpty());
        assertThat(offered).as("the stopping pod's port was free on this machine and offered twice").isEmpty();
        assertThat(platform.pods("default", "second-1").get(0).ports().get(8080)).isNotEqualTo(held);

        java.nio.file.Files.createFile(release);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + first)
                && platform.terminatingPods().isEmpty());
        offered.add(held);
        platform.create(spec("third", new LaunchSpec.Container("web", "busybox", List.of("sleep", "600"), List.of(),
                List.of(), List.of(8080), 0)), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "third-1").isEmpty());
        assertThat(platform.pods("default", "third-1").get(0).ports().get(8080)).as("free again once the pod ended")
                .isEqualTo(held);
    }

    @Test
    void aWorkloadDeletedWhileItsPodStillStopsCanBeCreatedAgainUnderItsName() throws Exception {
        LocalPlatform platform = platformWithGrace(Duration.ofMinutes(2));
        Path release = stateDir.resolve("release");
        LaunchSpec spec = stopping("again", untilExists(release));
        platform.create(spec, listener);
        String old = startedPod(platform, "again");

        platform.delete("default", "again-1");
        platform.create(spec, listener);

        assertThat(platform.exists("default", "again-1")).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> platform.pods("default", "again-1").size() == 1
                && !platform.pods("default", "again-1").get(0).name().equals(old));
        String replacement = platform.pods("default", "again-1").get(0).name();
        assertThat(platform.terminatingPods()).containsExactly("default/" + old);

        java.nio.file.Files.createFile(release);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + old)
                && platform.terminatingPods().isEmpty());
        assertThat(events).doesNotContain("gone " + replacement);
        assertThat(platform.pods("default", "again-1")).extracting(RunningPod::name).containsExactly(replacement);
        assertThat(stateOf(replacement).terminatingSince()).isNull();
    }

    @Test
    void stopAllReturnsOnlyOnceEveryPodEndedAndItsLastLinesWereDeliveredDeletedOnesToo() throws Exception {
        LocalPlatform platform = platformWithGrace(Duration.ofMinutes(2));
        platform.create(stopping("kept", "sleep 1"), listener);
        platform.create(stopping("deleted", "sleep 1"), listener);
        String kept = startedPod(platform, "kept");
        String deleted = startedPod(platform, "deleted");
        long keptPid = containerPids(kept).get("writer");
        long deletedPid = containerPids(deleted).get("writer");

        platform.delete("default", "deleted-1");
        platform.stopAll();

        assertThat(List.of(keptPid, deletedPid)).noneMatch(LocalPlatformTest::alive);
        assertThat(linesOf("kept")).containsSubsequence("started", "stopping", "last words").contains("on stderr");
        assertThat(linesOf("deleted")).containsSubsequence("started", "stopping", "last words").contains("on stderr");
        assertThat(platform.terminatingPods()).isEmpty();
        assertThat(events).contains("gone " + deleted).doesNotContain("gone " + kept);
        assertThat(stateOf(kept).terminatingSince()).as("kept for the next supervisor, which replaces it").isNull();
        assertThat(stateDir.resolve("pods").resolve("default_" + deleted + ".json")).doesNotExist();
    }

    @Test
    void aPodBeingDeletedWhenItsSupervisorDiedIsStoppedByTheNextOneAndNotAdoptedAgain() throws Exception {
        Process firstSupervisor = otherSupervisorProcess();
        LocalPlatform first = platform(LocalPlatform.Supervisor.of(firstSupervisor.toHandle()), 1 << 20,
                Duration.ofMinutes(2), LocalPlatformTest::kernelPort);
        first.create(stopping("doomed", untilExists(stateDir.resolve("never"))), listener);
        String podName = startedPod(first, "doomed");
        long pid = containerPids(podName).get("writer");
        first.delete("default", "doomed-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> linesOf("doomed").contains("stopping"));
        firstSupervisor.destroyForcibly().waitFor();
        first.abandon();
        assertThat(alive(pid)).isTrue();
        assertThat(stateOf(podName).terminatingSince()).isNotNull();

        LocalPlatform second = platform(LocalPlatform.Supervisor.current(), 1 << 20, Duration.ofMillis(500),
                LocalPlatformTest::kernelPort);
        assertThat(second.appsToTakeOver()).containsExactly("default/doomed");
        assertThat(second.takeOver("default", "doomed")).as("nothing adopted").isFalse();

        assertThat(second.exists("default", "doomed-1")).isFalse();
        assertThat(second.workloads("default", "doomed")).isEmpty();
        assertThat(second.appsToTakeOver()).as("its stop is the second supervisor's now").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid) && second.terminatingPods().isEmpty());
        assertThat(stateDir.resolve("pods").resolve("default_" + podName + ".json")).doesNotExist();
        assertThat(ContainerLogFiles.podDir(stateDir, "default", podName)).doesNotExist();
    }
}
