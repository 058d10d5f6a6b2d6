package io.bgdeploy.lbagent.haproxy;

import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lb.model.LbModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which changes can skip the reload: only moves of existing servers. */
class ServerChangesTest {

    private final HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();

    private String render(List<ServerSpec> servers, String host) {
        return renderer.render(new LbModel(List.of(new FrontendConfig(FrontendSpec.http(host), "default-a-1")),
                List.of(new BackendSpec("default-a-1", servers, false, List.of(), "/health"))), HaproxySettings.localDefaults());
    }

    @Test
    void movedServersBecomeRuntimeApiCommands() {
        String live = render(List.of(new ServerSpec("s1", "10.0.0.1", 8080), new ServerSpec("s2", "10.0.0.2", 8080)), "a.example.com");
        String next = render(List.of(new ServerSpec("s1", "10.0.0.1", 8080), new ServerSpec("s2", "fd00::7", 9090)), "a.example.com");

        assertThat(ServerChanges.between(live, next)).get().asList()
                .containsExactly(new ServerChanges.Change("be_default-a-1", "s2", "fd00::7", 9090));
        assertThat(new ServerChanges.Change("be_default-a-1", "s2", "fd00::7", 9090).command())
                .isEqualTo("set server be_default-a-1/s2 addr fd00::7 port 9090");
    }

    @Test
    void addedServersOrOtherChangesNeedAReload() {
        String live = render(List.of(new ServerSpec("s1", "10.0.0.1", 8080)), "a.example.com");

        assertThat(ServerChanges.between(live, render(List.of(new ServerSpec("s1", "10.0.0.1", 8080),
                new ServerSpec("s2", "10.0.0.2", 8080)), "a.example.com"))).isEmpty();
        assertThat(ServerChanges.between(live, render(List.of(new ServerSpec("s9", "10.0.0.1", 8080)), "a.example.com"))).isEmpty();
        assertThat(ServerChanges.between(live, render(List.of(new ServerSpec("s1", "10.0.0.1", 8080)), "b.example.com"))).isEmpty();
        assertThat(ServerChanges.between(live, live)).isEmpty();
    }
}
