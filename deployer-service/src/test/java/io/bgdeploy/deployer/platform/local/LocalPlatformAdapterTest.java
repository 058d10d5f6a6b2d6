package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.localplatform.LocalPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The deployer's platform port on real local processes: what goes in is a workload spec, what comes out the deployer's pods. */
class LocalPlatformAdapterTest {

    @TempDir
    Path stateDir;

    private final List<ContainerLogRecord> logs = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private LocalPlatformAdapter platform;

    private final PodListener listener = new PodListener() {
        @Override
        public void podRunning(PodInfo pod) {
            events.add("running " + pod.name());
        }

        @Override
        public void podRestarted(PodInfo pod, String container, int restartCount, String reason) {
            events.add("restarted " + container);
        }

        @Override
        public void podGone(String podName, String reason) {
            events.add("gone " + podName);
        }
    };

    private LocalPlatformAdapter platform() {
        platform = new LocalPlatformAdapter(new LocalPlatform(new LocalPlatform.Settings(Map.of(), List.of("nginx"), stateDir,
                Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(2), "local", Duration.ZERO, 0,
                LocalPlatform.Supervisor.current(), 1 << 20, "deployer.local."), record -> {
                    logs.add(record);
                    return CompletableFuture.completedFuture(null);
                }), () -> { });
        return platform;
    }

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.shutdown(true);
        }
    }

    private static WorkloadSpec spec(String descriptorFields, String containers) throws Exception {
        Descriptor d = EventCodec.read(("""
                {"appName": "web", %s "podspec": {"containers": [%s]}}""".formatted(descriptorFields, containers)).getBytes(),
                Descriptor.class);
        return BlueGreenPlanner.workload("dep-web", d, "1", d.podspec(), Map.of());
    }

    @Test
    void checkNamesEveryProblemByItsPathInThePodSpecAndTheSettingToChange() throws Exception {
        WorkloadSpec spec = spec("", """
                {"name": "web", "image": "nginx"},
                {"name": "db", "image": "postgres:16", "resources": {"limits": {"memory": "1K"}},
                 "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {}}}]},
                {"name": "web", "image": "x", "command": ["true"]}""");

        assertThat(platform().check(spec)).containsExactlyInAnyOrder(
                "podspec.containers[1]: image 'postgres:16' has no command and no local command is configured for it:"
                        + " add \"command\" to the container or set deployer.local.images.\"postgres\"",
                "podspec.containers[1].resources.limits.memory: '1K' is not a Kubernetes quantity: write a number with"
                        + " an optional suffix, e.g. 128Mi, 1Gi, 500M or 500m",
                "podspec.containers[1].env[0] (PW): valueFrom is not supported by the local platform: give a value",
                "podspec.containers[2]: the name 'web' is also the name of podspec.containers[0]: give every container"
                        + " its own name");
        assertThat(platform.check(spec("", "")))
                .containsExactly("podspec.containers: the local platform needs at least one container");
    }

    @Test
    void aWorkloadRunsAsLocalProcessesAndItsPodsAreReportedAsTheDeployerSeesThem() throws Exception {
        Platform local = platform();
        WorkloadSpec spec = spec("\"useHealthCheck\": true, \"healthCheckPort\": 8081,", """
                {"name": "nginx", "image": "nginx", "ports": [{"name": "http", "containerPort": 80}]}""");
        assertThat(local.check(spec)).isEmpty();

        local.create(spec, listener);

        await().atMost(Duration.ofSeconds(20)).until(() -> !local.pods("default", "web-1").isEmpty());
        PodInfo pod = local.pods("default", "web-1").get(0);
        assertThat(pod.address()).isEqualTo("127.0.0.1");
        assertThat(pod.node()).isEqualTo("local");
        assertThat(pod.ports()).containsOnlyKeys(80, 8081);
        int port = pod.reachablePort(80);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(port).contains("Hello from web version 1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream().anyMatch(l -> l.line().contains("GET /")));
        assertThat(logs).filteredOn(l -> l.line().contains("GET /")).first()
                .satisfies(l -> assertThat(List.of(l.app(), l.version(), l.pod(), l.container(), l.deploymentId()))
                        .containsExactly("web", "1", pod.name(), "nginx", "dep-web"));
        assertThat(local.managedWorkloads()).containsExactly(new Platform.WorkloadRef("default", "web-1"));
        assertThat(local.workloads("default", "web")).containsExactly("web-1");
        assertThat(local.needsRestore(spec)).isFalse();

        local.delete("default", "web-1");

        assertThat(local.exists("default", "web-1")).isFalse();
        assertThat(local.pods("default", "web-1")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gone " + pod.name()));
        assertThat(events).containsExactly("running " + pod.name(), "gone " + pod.name());
    }

    private static String get(int port) throws Exception {
        return HttpClients.http11(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
