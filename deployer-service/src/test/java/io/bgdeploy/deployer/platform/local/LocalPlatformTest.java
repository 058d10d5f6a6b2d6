package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.bluegreen.BlueGreenPlanner;
import io.bgdeploy.deployer.platform.PodInfo;
import io.bgdeploy.deployer.platform.PodListener;
import io.bgdeploy.deployer.platform.WorkloadSpec;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real local processes: the built-in server, logs, restarts, adoption after a deployer restart. */
class LocalPlatformTest {

    @TempDir
    Path stateDir;

    private final List<ContainerLogRecord> logs = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<LocalPlatform> platforms = new CopyOnWriteArrayList<>();

    private LocalPlatform platform() {
        LocalPlatform p = new LocalPlatform(new LocalPlatform.Settings(Map.of(), List.of("nginx"), stateDir,
                Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(2), "local"), logs::add);
        platforms.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        platforms.forEach(LocalPlatform::stopAll);
    }

    private final PodListener listener = new PodListener() {
        @Override
        public void podRunning(PodInfo pod) {
            events.add("running " + pod.name());
        }

        @Override
        public void podRestarted(PodInfo pod, String container, int restartCount, String reason) {
            events.add("restarted " + restartCount + " " + reason);
        }

        @Override
        public void podGone(String podName, String reason) {
            events.add("gone " + podName);
        }
    };

    private static WorkloadSpec spec(String app, String container) throws Exception {
        Descriptor d = EventCodec.read(("""
                {"appName": "%s", "podspec": {"containers": [%s]}}""".formatted(app, container)).getBytes(),
                Descriptor.class);
        return BlueGreenPlanner.workload("dep-" + app, d, "1", d.podspec(), Map.of());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anNginxImageRunsTheBuiltinServerOnTheMappedPortAndItsLinesBecomeLogRecords() throws Exception {
        LocalPlatform platform = platform();
        platform.create(spec("web", """
                {"name": "nginx", "image": "nginx", "ports": [{"name": "http", "containerPort": 80}]}"""), listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> !platform.pods("default", "web-1").isEmpty());
        PodInfo pod = platform.pods("default", "web-1").get(0);
        int port = pod.reachablePort(80);
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
        assertThat(events).contains("running " + pod.name(), "gone " + pod.name());
        assertThat(platform.exists("default", "web-1")).isFalse();
    }

    @Test
    void aProcessThatEndsIsRestartedAndCounted() throws Exception {
        LocalPlatform platform = platform();
        platform.create(spec("crashy", """
                {"name": "crashy", "image": "busybox", "command": ["/bin/false"]}"""), listener);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().filter(e -> e.startsWith("restarted")).count() >= 3);
        assertThat(events).contains("restarted 1 Error (exit 1)", "restarted 2 Error (exit 1)");
    }

    @Test
    void aRestartedDeployerAdoptsThePodsThatStillRun() throws Exception {
        LocalPlatform first = platform();
        first.create(spec("kept", """
                {"name": "web", "image": "nginx", "ports": [{"containerPort": 8080}]}"""), listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.pods("default", "kept-1").isEmpty());
        int port = first.pods("default", "kept-1").get(0).reachablePort(8080);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(port, "/").statusCode() == 200);

        LocalPlatform second = platform();

        assertThat(second.exists("default", "kept-1")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !second.pods("default", "kept-1").isEmpty());
        assertThat(second.pods("default", "kept-1").get(0).reachablePort(8080)).isEqualTo(port);
        second.delete("default", "kept-1");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try {
                get(port, "/");
                return false;
            } catch (java.io.IOException refused) {
                return true;
            }
        });
    }
}
