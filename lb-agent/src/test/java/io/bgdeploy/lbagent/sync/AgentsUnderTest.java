package io.bgdeploy.lbagent.sync;

import io.bgdeploy.lbagent.render.HaproxySettings;

import java.nio.file.Path;
import java.time.Duration;

/** The settings of an agent that starts its own HAProxy, with the short timings the agent tests share. */
final class AgentsUnderTest {

    private AgentsUnderTest() {
    }

    /** Lease 5 s, a look every 2 s, reloads confirmed within 10 s (+5 s per thousand sections), drain 2 s. */
    static AgentSettings startingHaproxy(String agentId, Path configFile, Path masterSocket, HaproxySettings haproxy) {
        return new AgentSettings(agentId, Path.of("/usr/sbin/haproxy"), configFile, masterSocket, true,
                haproxy.withRuntimeSocket(AgentSettings.workerSocketBeside(masterSocket)),
                Duration.ofSeconds(5), Duration.ofSeconds(2), new ReloadTimeout(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                Duration.ofSeconds(2));
    }
}
