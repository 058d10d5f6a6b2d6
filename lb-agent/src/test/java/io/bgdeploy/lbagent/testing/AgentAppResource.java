package io.bgdeploy.lbagent.testing;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/** The agent as the application under test: it starts its own HAProxy on free ports, its socket in a short directory. */
public class AgentAppResource implements QuarkusTestResourceLifecycleManager {

    public static final String AGENT_ID = "agent-quarkus-test";
    private SocketDirectory sockets;

    @Override
    public Map<String, String> start() {
        Path dir = SharedInfra.workDir("agent-app");
        sockets = SocketDirectory.create("agent-app");
        return Map.of(
                "lbagent.id", AGENT_ID,
                "lbagent.reconcile-interval", "2s",
                "lbagent.haproxy.start", "true",
                "lbagent.haproxy.config-file", dir.resolve("haproxy.cfg").toString(),
                "lbagent.haproxy.master-socket", sockets.socket("master.sock").toString(),
                "lbagent.haproxy.public-port", String.valueOf(FreePorts.next()),
                "lbagent.haproxy.stats-port", String.valueOf(FreePorts.next()));
    }

    @Override
    public void stop() {
        // the agent stopped HAProxy with the application
        sockets.close();
    }
}
