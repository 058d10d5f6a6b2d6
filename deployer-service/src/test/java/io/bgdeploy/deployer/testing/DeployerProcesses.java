package io.bgdeploy.deployer.testing;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.localplatform.LocalPodState;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * Packaged deployer-service processes on the local platform, against the shared Kafka and etcd
 * of the test JVM, sharing one pod state directory; closing stops them and any pod left behind.
 */
public final class DeployerProcesses implements AutoCloseable {

    private final Path stateDir;
    private final String logPrefix;
    private final List<Process> processes = new ArrayList<>();

    public DeployerProcesses(Path stateDir, String logPrefix) throws IOException {
        this.stateDir = stateDir.toAbsolutePath();
        this.logPrefix = logPrefix;
        Files.createDirectories(this.stateDir);
    }

    /**
     * Starts a deployer on the port with anonymous access to namespace {@code default}, the test
     * signing keys ({@link TestSigningKeys}) and the given extra {@code -D} settings, and waits
     * until it is ready.
     */
    public Process start(String name, int port, String... settings) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + SharedInfra.kafka().bootstrapServers(),
                "-Dbgdeploy.etcd.endpoints=" + SharedInfra.etcd().endpoint(),
                "-Ddeployer.platform=local",
                "-Ddeployer.local.state-dir=" + stateDir,
                "-Ddeployer.local.stop-pods-on-shutdown=true",
                "-Ddeployer.health-check.period-millis=200",
                "-Ddeployer.auth.anonymous-namespaces=default",
                "-Ddeployer.signing.keys-file=" + TestSigningKeys.FILE));
        for (String s : settings) {
            command.add("-D" + s);
        }
        command.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        Path log = Path.of("target", logPrefix + "-" + name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        // a ceiling, not an expectation: on a 2-core machine shared with other builds a Quarkus start took 100 s
        await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() ->
                api(port).get("/q/health/ready").statusCode() == 200);
        return p;
    }

    public static RequestSpecification api(int port) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port);
    }

    /** Stores the descriptor and deploys it through the reference API; returns the deployment's id. */
    public static String deploy(int port, String descriptorJson) {
        String location = api(port).body(descriptorJson).post("/descriptors/?namespace=default")
                .then().statusCode(201).extract().header("Location");
        String descriptorId = location.substring("/descriptors/".length(), location.indexOf("/?"));
        location = api(port).post("/deployments/?namespace=default&descriptorId=" + descriptorId)
                .then().statusCode(202).extract().header("Location");
        return location.substring("/deployments/".length(), location.indexOf("/?"));
    }

    /** A field of a deployment as the API shows it. */
    public static String field(int port, String id, String field) {
        return api(port).get("/deployments/" + id + "/?namespace=default").jsonPath().getString(field);
    }

    /** The container processes of a workload's pods recorded in the state directory that run. */
    public List<ProcessHandle> livePods(String workload) throws IOException {
        return livePods(state -> workload.equals(state.workload()));
    }

    /** The container processes of the pods recorded in the state directory that run. */
    public List<ProcessHandle> livePods() throws IOException {
        return livePods(state -> true);
    }

    private List<ProcessHandle> livePods(Predicate<LocalPodState> which) throws IOException {
        Path pods = stateDir.resolve("pods");
        List<ProcessHandle> live = new ArrayList<>();
        if (!Files.isDirectory(pods)) {
            return live;
        }
        try (var files = Files.list(pods)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                LocalPodState state = EventCodec.mapper().readValue(file.toFile(), LocalPodState.class);
                if (!which.test(state)) {
                    continue;
                }
                for (LocalPodState.Container c : state.containers()) {
                    ProcessHandle.of(c.pid())
                            .filter(h -> h.info().startInstant().map(t -> t.toEpochMilli() == c.startedMillis()).orElse(false))
                            .ifPresent(live::add);
                }
            }
        }
        return live;
    }

    /** Stops the deployers, then the pods they could not stop in time (a slow shutdown) by their recorded pid. */
    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        livePods().forEach(ProcessHandle::destroyForcibly);
    }
}
