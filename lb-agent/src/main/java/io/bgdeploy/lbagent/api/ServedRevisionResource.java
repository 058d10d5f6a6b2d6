package io.bgdeploy.lbagent.api;

import io.bgdeploy.lbagent.sync.HaproxyAgent;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Which etcd revision this agent's HAProxy serves, answered as soon as it serves {@code atLeast}
 * (or after {@code waitMs}, with what it serves then): lb-config-service asks it while a command
 * waits for the agents, and so hears it without the agent's report going through etcd. Read only,
 * like {@code /status}: it changes nothing and reveals no more than {@code GET /agents} does.
 */
@Path("/served-revision")
@Produces(MediaType.APPLICATION_JSON)
public class ServedRevisionResource {

    /** The longest a caller may wait: an open request holds no thread, but it holds a connection. */
    static final long MAX_WAIT_MILLIS = 30_000;

    private final HaproxyAgent agent;

    public ServedRevisionResource(HaproxyAgent agent) {
        this.agent = agent;
    }

    /** What this agent's HAProxy serves. */
    public record ServedRevisionAnswer(String agentId, long revision) {
    }

    @GET
    public CompletionStage<ServedRevisionAnswer> served(@QueryParam("atLeast") String atLeast, @QueryParam("waitMs") String waitMs) {
        long revision = number("atLeast", atLeast, Long.MAX_VALUE, true);
        long wait = number("waitMs", waitMs, MAX_WAIT_MILLIS, false);
        return agent.served().whenAtLeast(revision, Duration.ofMillis(wait))
                .thenApply(served -> new ServedRevisionAnswer(agent.agentId(), served));
    }

    private static long number(String name, String value, long max, boolean required) {
        if (value == null || value.isEmpty()) {
            if (required) {
                throw badRequest(name + " is required: the etcd revision to wait for, like ?atLeast=42&waitMs=5000");
            }
            return 0;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below with what is expected
        }
        throw badRequest(name + " must be a whole number from 0 to " + max + ", not '" + value.replaceAll("[^0-9A-Za-z-]", "?")
                + "'");
    }

    private static BadRequestException badRequest(String message) {
        return new BadRequestException(Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN)
                .entity(message).build());
    }
}
