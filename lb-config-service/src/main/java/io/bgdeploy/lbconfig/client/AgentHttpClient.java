package io.bgdeploy.lbconfig.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bgdeploy.lb.model.AgentUrl;
import io.bgdeploy.lbconfig.model.ServedRevisions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ServedRevisions} over the agents' {@code GET /served-revision}: one HTTP/1.1 connection
 * per agent kept open between commands. An answer is taken only when it is the JSON the agent
 * sends and names the agent that was asked, so an address that reached another process counts
 * for nothing.
 */
public final class AgentHttpClient implements ServedRevisions {

    /** Added to the wait the agent is asked for, before the call counts as failed. */
    private static final Duration SLACK = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final HttpClient http;

    public AgentHttpClient(Duration connectTimeout) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private record Answer(String agentId, long revision) {
    }

    @Override
    public CompletableFuture<Long> served(String agentId, AgentUrl url, long atLeast, Duration wait) {
        URI uri = url.resolve("/served-revision", "atLeast=" + atLeast + "&waitMs=" + wait.toMillis());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(wait.plus(SLACK)).header("Accept", "application/json")
                .GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("agent " + agentId + " at " + url + " answered HTTP " + response.statusCode());
            }
            Answer answer = read(response.body(), agentId, url);
            if (!agentId.equals(answer.agentId())) {
                throw new IllegalStateException("the agent at " + url + " is " + answer.agentId() + ", not " + agentId);
            }
            return answer.revision();
        });
    }

    private static Answer read(String body, String agentId, AgentUrl url) {
        try {
            Answer answer = JSON.readValue(body, Answer.class);
            if (answer.agentId() == null) {
                throw new IllegalStateException("agent " + agentId + " at " + url + " sent no agentId");
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException("agent " + agentId + " at " + url + " sent no served revision: " + e.getMessage(), e);
        }
    }
}
