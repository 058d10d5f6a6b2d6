package io.bgdeploy.lbconfig.client;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.lb.model.AgentUrl;
import io.bgdeploy.lbconfig.testing.FakeAgentEndpoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client of the agents' {@code GET /served-revision}, against a stand-in agent on a real port. */
class AgentHttpClientTest {

    private final AgentHttpClient client = new AgentHttpClient(Duration.ofSeconds(2));

    @Test
    void theRevisionTheAgentServesIsAskedForWithTheRevisionAndTheWait() {
        try (FakeAgentEndpoint agent = new FakeAgentEndpoint("a", 45)) {
            long served = client.served("a", AgentUrl.parse(agent.url()), 42, Duration.ofMillis(1500)).join();

            assertThat(served).isEqualTo(45);
            assertThat(agent.queries()).containsExactly("atLeast=42&waitMs=1500");
        }
    }

    @Test
    void anAnswerFromAnotherAgentCountsForNothing() {
        try (FakeAgentEndpoint agent = new FakeAgentEndpoint("b", 45)) {
            assertThatThrownBy(() -> client.served("a", AgentUrl.parse(agent.url()), 42, Duration.ofSeconds(1)).join())
                    .isInstanceOf(CompletionException.class).hasMessageContaining("is b, not a");
        }
    }

    @Test
    void anythingButTheAgentsJsonCountsForNothing() {
        try (FakeAgentEndpoint agent = new FakeAgentEndpoint("a", 45)) {
            AgentUrl url = AgentUrl.parse(agent.url());
            agent.answering(200, "{\"agentId\":\"a\"}");
            assertThatThrownBy(() -> client.served("a", url, 42, Duration.ofSeconds(1)).join())
                    .hasMessageContaining("sent no served revision");
            agent.answering(200, "<html>");
            assertThatThrownBy(() -> client.served("a", url, 42, Duration.ofSeconds(1)).join())
                    .hasMessageContaining("sent no served revision");
            agent.answering(404, "{\"agentId\":\"a\",\"revision\":45}");
            assertThatThrownBy(() -> client.served("a", url, 42, Duration.ofSeconds(1)).join())
                    .hasMessageContaining("answered HTTP 404");
        }
    }

    @Test
    void anAgentThatDoesNotListenFailsTheQuestion() {
        AgentUrl nobody = AgentUrl.parse("http://127.0.0.1:" + FreePorts.next());
        assertThatThrownBy(() -> client.served("a", nobody, 42, Duration.ofSeconds(1)).join())
                .isInstanceOf(CompletionException.class);
    }
}
