package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalLaunchTest {

    private static WorkloadSpec spec(String container) throws Exception {
        Descriptor d = EventCodec.read(("""
                {"appName": "shop", "environment": {"GREETING": "hi"}, "podspec": {"containers": [%s]}}
                """.formatted(container)).getBytes(), Descriptor.class);
        return BlueGreenPlanner.workload("dep-1", d, "2", d.podspec(), Map.of("REGION", "eu"));
    }

    @Test
    void commandAndArgsAreExpandedWithoutAShell() throws Exception {
        WorkloadSpec spec = spec("""
                {"name": "web", "image": "x", "command": ["java", "App.java"],
                 "args": ["--port=$(PORT)", "$(GREETING) from $(APP_NAME)-$(APP_VERSION); rm -rf /", "$(URL)"],
                 "env": [{"name": "URL", "value": "http://$(POD_NAME):$(PORT)/"}],
                 "ports": [{"containerPort": 80}]}""");
        LocalLaunch launch = LocalLaunch.of(spec, 0, "shop-2-abcde", Map.of(80, 31001), 31001, Map.of(), List.of());
        assertThat(launch.argv()).containsExactly("java", "App.java", "--port=31001",
                "hi from shop-2; rm -rf /", "http://shop-2-abcde:31001/");
        assertThat(launch.env()).containsEntry("PORT", "31001").containsEntry("PORT_80", "31001")
                .containsEntry("REGION", "eu").containsEntry("POD_NAME", "shop-2-abcde").containsEntry("POD_NAMESPACE", "default");
        assertThat(launch.builtin()).isFalse();
    }

    @Test
    void imagesWithoutCommandUseTheConfiguredCommandOrTheBuiltinServer() throws Exception {
        WorkloadSpec nginx = spec("{\"name\": \"web\", \"image\": \"nginx:1.25\"}");
        assertThat(LocalLaunch.of(nginx, 0, "p", Map.of(), 1234, Map.of(), List.of("nginx")).builtin()).isTrue();
        WorkloadSpec custom = spec("{\"name\": \"web\", \"image\": \"registry.example.com/shop:3\"}");
        LocalLaunch launch = LocalLaunch.of(custom, 0, "p", Map.of(), 1234,
                Map.of("registry.example.com/shop", "java -jar /opt/shop.jar --port=$(PORT)"), List.of());
        assertThat(launch.argv()).containsExactly("java", "-jar", "/opt/shop.jar", "--port=1234");
    }

    @Test
    void problemsSayWhatToConfigure() throws Exception {
        WorkloadSpec unknown = spec("""
                {"name": "web", "image": "postgres:16", "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {}}}]}""");
        assertThat(LocalLaunch.problems(unknown, Map.of(), List.of("nginx")))
                .anyMatch(p -> p.contains("deployer.local.images.\"postgres\""))
                .anyMatch(p -> p.contains("valueFrom is not supported"));
    }

    @Test
    void everyContainerGetsItsOwnLaunchAndMemoryLimit() throws Exception {
        WorkloadSpec spec = spec("""
                {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}], "env": [{"name": "WEB_ONLY", "value": "1"}],
                 "resources": {"limits": {"memory": "0.5Gi"}}},
                {"name": "agent", "image": "x", "command": ["agent", "--target=127.0.0.1:$(PORT_80)", "--own=$(PORT)"],
                 "env": [{"name": "MODE", "value": "sidecar of $(APP_NAME)"}]}""");
        Map<Integer, Integer> ports = Map.of(80, 31001);
        LocalLaunch web = LocalLaunch.of(spec, 0, "shop-2-abcde", ports, 31001, Map.of(), List.of("nginx"));
        LocalLaunch agent = LocalLaunch.of(spec, 1, "shop-2-abcde", ports, 31002, Map.of(), List.of("nginx"));
        assertThat(web.container()).isEqualTo("web");
        assertThat(web.builtin()).isTrue();
        assertThat(web.env()).containsEntry("WEB_ONLY", "1");
        assertThat(web.memoryLimitBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(agent.container()).isEqualTo("agent");
        assertThat(agent.argv()).containsExactly("agent", "--target=127.0.0.1:31001", "--own=31002");
        assertThat(agent.env()).containsEntry("MODE", "sidecar of shop").doesNotContainKey("WEB_ONLY");
        assertThat(agent.memoryLimitBytes()).as("no limit given").isZero();
    }

    @Test
    void problemsCoverEveryContainer() throws Exception {
        WorkloadSpec spec = spec("""
                {"name": "web", "image": "nginx"},
                {"name": "db", "image": "postgres:16", "resources": {"limits": {"memory": "1K"}}},
                {"name": "web", "image": "x", "command": ["true"]}""");
        assertThat(LocalLaunch.problems(spec, Map.of(), List.of("nginx"))).containsExactlyInAnyOrder(
                "podspec.containers[1]: image 'postgres:16' has no command and no local command is configured for it:"
                        + " add \"command\" to the container or set deployer.local.images.\"postgres\"",
                "podspec.containers[1].resources.limits.memory: '1K' is not a Kubernetes quantity: write a number with"
                        + " an optional suffix, e.g. 128Mi, 1Gi, 500M or 500m",
                "podspec.containers[2]: the name 'web' is also the name of podspec.containers[0]: give every container"
                        + " its own name");
    }
}
