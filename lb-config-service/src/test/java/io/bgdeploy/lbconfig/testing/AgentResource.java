package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import io.bgdeploy.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/** Runs the agent inside the service under test, starting its own HAProxy on free ports. */
public class AgentResource implements QuarkusTestResourceLifecycleManager {

    public static final String AGENT_ID = "agent-quarkus-test";
    private static int publicPort;
    private SocketDirectory sockets;

    @Override
    public Map<String, String> start() {
        Path dir = SharedInfra.workDir("haproxy-service");
        sockets = SocketDirectory.create("agent");
        publicPort = FreePorts.next();
        return Map.of(
                "lbconfig.agent.enabled", "true",
                "lbconfig.agent.id", AGENT_ID,
                "lbconfig.agent.haproxy.start", "true",
                "lbconfig.agent.haproxy.config-file", dir.resolve("haproxy.cfg").toString(),
                "lbconfig.agent.haproxy.master-socket", sockets.socket("master.sock").toString(),
                "lbconfig.agent.haproxy.public-port", String.valueOf(publicPort),
                "lbconfig.agent.haproxy.stats-port", String.valueOf(FreePorts.next()),
                "lbconfig.agent.reconcile-interval", "2s");
    }

    public static int publicPort() {
        return publicPort;
    }

    @Override
    public void stop() {
        // the agent has stopped HAProxy with the application
        sockets.close();
    }
}
