package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.testing.SharedInfra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * One instance of the packaged service ({@code target/quarkus-app}) as its own process, with the
 * production configuration apart from the settings given; {@link #start} returns once it is ready.
 */
public record PackagedInstance(Process process, int port) {

    public static PackagedInstance start(String bootstrap, String etcd, String name, String... settings) throws Exception {
        int port = FreePorts.next();
        Path log = SharedInfra.workDir("instance-" + name).resolve("out.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dbgdeploy.etcd.endpoints=" + etcd));
        for (String setting : settings) {
            cmd.add("-D" + setting);
        }
        cmd.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClients.http11(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        return new PackagedInstance(p, port);
    }

    /** SIGKILL: no LeaveGroup is sent, as when a container is killed. */
    public void kill() {
        process.destroyForcibly();
    }
}
