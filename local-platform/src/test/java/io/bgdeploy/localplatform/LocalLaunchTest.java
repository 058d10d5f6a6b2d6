package io.bgdeploy.localplatform;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalLaunchTest {

    private static LaunchSpec spec(LaunchSpec.Container... containers) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REGION", "eu");
        env.put("GREETING", "hi");
        env.put("APP_NAME", "shop");
        env.put("APP_VERSION", "2");
        env.put("POD_NAMESPACE", "default");
        return new LaunchSpec("default", "shop-2", "shop", "2", "dep-1", 1, env, List.of(), List.of(containers));
    }

    private static LaunchSpec.Container image(String name, String image) {
        return new LaunchSpec.Container(name, image, List.of(), List.of(), List.of(), List.of(), 0);
    }

    @Test
    void commandAndArgsAreExpandedWithoutAShell() {
        LaunchSpec spec = spec(new LaunchSpec.Container("web", "x", List.of("java", "App.java"),
                List.of("--port=$(PORT)", "$(GREETING) from $(APP_NAME)-$(APP_VERSION); rm -rf /", "$(URL)"),
                List.of(new LaunchSpec.EnvVar("URL", "http://$(POD_NAME):$(PORT)/")), List.of(80), 0));
        LocalLaunch launch = LocalLaunch.of(spec, 0, "shop-2-abcde", Map.of(80, 31001), 31001, Map.of(), List.of());
        assertThat(launch.argv()).containsExactly("java", "App.java", "--port=31001",
                "hi from shop-2; rm -rf /", "http://shop-2-abcde:31001/");
        assertThat(launch.env()).containsEntry("PORT", "31001").containsEntry("PORT_80", "31001")
                .containsEntry("REGION", "eu").containsEntry("POD_NAME", "shop-2-abcde").containsEntry("POD_NAMESPACE", "default");
        assertThat(launch.builtin()).isFalse();
    }

    @Test
    void imagesWithoutCommandUseTheConfiguredCommandOrTheBuiltinServer() {
        LaunchSpec nginx = spec(image("web", "nginx:1.25"));
        assertThat(LocalLaunch.of(nginx, 0, "p", Map.of(), 1234, Map.of(), List.of("nginx")).builtin()).isTrue();
        LaunchSpec custom = spec(image("web", "registry.example.com/shop:3"));
        LocalLaunch launch = LocalLaunch.of(custom, 0, "p", Map.of(), 1234,
                Map.of("registry.example.com/shop", "java -jar /opt/shop.jar --port=$(PORT)"), List.of());
        assertThat(launch.argv()).containsExactly("java", "-jar", "/opt/shop.jar", "--port=1234");
    }

    @Test
    void everyContainerGetsItsOwnLaunchAndMemoryLimit() {
        LaunchSpec spec = spec(
                new LaunchSpec.Container("web", "nginx", List.of(), List.of(), List.of(new LaunchSpec.EnvVar("WEB_ONLY", "1")),
                        List.of(80), 512L << 20),
                new LaunchSpec.Container("agent", "x", List.of("agent", "--target=127.0.0.1:$(PORT_80)", "--own=$(PORT)"),
                        List.of(), List.of(new LaunchSpec.EnvVar("MODE", "sidecar of $(APP_NAME)")), List.of(), 0));
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
    void aVariableOfTheContainerSeesOnlyTheOnesBeforeIt() {
        LaunchSpec spec = spec(new LaunchSpec.Container("web", "x", List.of("run"), List.of(), List.of(
                new LaunchSpec.EnvVar("A", "a-$(B)"), new LaunchSpec.EnvVar("B", "b"), new LaunchSpec.EnvVar("C", "$(A)/$(B)")),
                List.of(), 0));
        assertThat(LocalLaunch.of(spec, 0, "p", Map.of(), 1234, Map.of(), List.of()).env())
                .containsEntry("A", "a-$(B)").containsEntry("C", "a-$(B)/b");
    }

    @Test
    void problemsCoverEveryContainerAndNameTheSettingToChange() {
        LaunchSpec spec = spec(image("web", "nginx"), image("db", "postgres:16"),
                new LaunchSpec.Container("web", "x", List.of("true"), List.of(), List.of(), List.of(), 0),
                image("bare", null));
        assertThat(LocalLaunch.problems(spec, Map.of(), List.of("nginx"), "local.", "containers")).containsExactlyInAnyOrder(
                "containers[1]: image 'postgres:16' has no command and no local command is configured for it:"
                        + " add \"command\" to the container or set local.images.\"postgres\"",
                "containers[2]: the name 'web' is also the name of containers[0]: give every container its own name",
                "containers[3]: neither a command nor an image: add \"command\" to the container");
        assertThat(LocalLaunch.problems(spec(), Map.of(), List.of("nginx"), "local.", "containers"))
                .containsExactly("containers: the local platform needs at least one container");
    }
}
