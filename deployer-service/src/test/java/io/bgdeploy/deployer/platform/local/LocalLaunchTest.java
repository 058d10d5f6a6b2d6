package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.bluegreen.BlueGreenPlanner;
import io.bgdeploy.deployer.platform.WorkloadSpec;
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
        LocalLaunch launch = LocalLaunch.of(spec, "shop-2-abcde", Map.of(80, 31001), 31001, Map.of(), List.of());
        assertThat(launch.argv()).containsExactly("java", "App.java", "--port=31001",
                "hi from shop-2; rm -rf /", "http://shop-2-abcde:31001/");
        assertThat(launch.env()).containsEntry("PORT", "31001").containsEntry("PORT_80", "31001")
                .containsEntry("REGION", "eu").containsEntry("POD_NAME", "shop-2-abcde").containsEntry("POD_NAMESPACE", "default");
        assertThat(launch.builtin()).isFalse();
    }

    @Test
    void imagesWithoutCommandUseTheConfiguredCommandOrTheBuiltinServer() throws Exception {
        WorkloadSpec nginx = spec("{\"name\": \"web\", \"image\": \"nginx:1.25\"}");
        assertThat(LocalLaunch.of(nginx, "p", Map.of(), 1234, Map.of(), List.of("nginx")).builtin()).isTrue();
        WorkloadSpec custom = spec("{\"name\": \"web\", \"image\": \"registry.example.com/shop:3\"}");
        LocalLaunch launch = LocalLaunch.of(custom, "p", Map.of(), 1234,
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
}
