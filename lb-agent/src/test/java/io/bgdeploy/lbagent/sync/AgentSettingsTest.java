package io.bgdeploy.lbagent.sync;

import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.render.HaproxySocketPath;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A master socket path HAProxy cannot bind is refused when the agent starts, with the path and the limit. */
class AgentSettingsTest {

    private static AgentSettings withSocket(Path socket) {
        return new AgentSettings("agent-1", Path.of("/usr/sbin/haproxy"), Path.of("/tmp/lb/haproxy.cfg"), socket, true,
                HaproxySettings.localDefaults(), Duration.ofSeconds(10), Duration.ofSeconds(15),
                ReloadTimeout.fixed(Duration.ofSeconds(10)), Duration.ofSeconds(10));
    }

    @Test
    void aSocketPathOfHaproxysMaximumLengthIsAccepted() {
        Path socket = Path.of("/tmp/" + "s".repeat(HaproxySocketPath.MAX_BYTES - "/tmp/".length()));
        assertThat(socket.toString()).hasSize(97);

        assertThatCode(() -> withSocket(socket)).doesNotThrowAnyException();
    }

    @Test
    void aLongerSocketPathIsRefusedWithThePathAndTheLimit() {
        Path socket = Path.of("/home/alice/src/github.com/acme/bgdeploy/lb-config-service/target/infra-haproxy-agent-5466487245784407388/master.sock");

        assertThatThrownBy(() -> withSocket(socket))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(socket.toString())
                .hasMessageContaining("is " + socket.toString().length() + " bytes long")
                .hasMessageContaining("at most 97");
    }

    @Test
    void aRuntimeSocketTooLongForHaproxyIsRefusedBeforeItReachesTheFile() {
        String socket = "/tmp/" + "r".repeat(100) + ".sock";

        assertThatThrownBy(() -> new HaproxySettings("127.0.0.1", 8000, 8443, "127.0.0.1", 8404, socket, 30, 100, "sticky-key"))
                .hasMessageContaining(socket).hasMessageContaining("at most 97");
    }
}
