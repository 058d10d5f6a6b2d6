package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One stand-in agent ({@link ConfirmingAgent}) for the service under test, and the operators'
 * token file. The real agent and HAProxy are tested in lb-agent and, with this service, in
 * system-tests; here the service's side of the protocol is.
 */
public class AgentResource implements QuarkusTestResourceLifecycleManager {

    public static final String AGENT_ID = "agent-quarkus-test";
    public static final String OPERATOR_TOKEN = "operator-token-for-tests";

    private ConfirmingAgent agent;

    @Override
    public Map<String, String> start() {
        agent = new ConfirmingAgent(SharedInfra.etcd().endpoint(), AGENT_ID);
        try {
            Path token = SharedInfra.workDir("operator").resolve("token");
            Files.writeString(token, OPERATOR_TOKEN + "\n");
            return Map.of("lbconfig.auth.token-file", token.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        agent.close();
    }
}
