package io.bgdeploy.infra.chaos;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.HttpClients;
import io.bgdeploy.infra.IsolatedHost;
import io.bgdeploy.infra.ServiceProcess;
import io.bgdeploy.infra.Suite;
import io.bgdeploy.infra.TrafficGenerator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One more load balancer, on a host of its own: lb-agent with its HAProxy in an {@link IsolatedHost},
 * taking part in every switch like the suite's own, so that cutting its host off is a network
 * partition of one HAProxy.
 */
final class IsolatedLoadBalancer implements AutoCloseable {

    static final String AGENT_ID = "haproxy-isolated";
    private static final HttpClient HTTP = HttpClients.http11(Duration.ofSeconds(2));

    private final IsolatedHost host;
    private final ServiceProcess agent;
    private final int publicPort;
    private final Path dir;

    private IsolatedLoadBalancer(IsolatedHost host, ServiceProcess agent, int publicPort, Path dir) {
        this.host = host;
        this.agent = agent;
        this.publicPort = publicPort;
        this.dir = dir;
    }

    /** Makes the host and starts the agent and its HAProxy there; does not wait for them. */
    static IsolatedLoadBalancer start(Suite suite, Path dir) {
        IsolatedHost host = IsolatedHost.create();
        try {
            int publicPort = FreePorts.next();
            ServiceProcess agent = suite.startAgentOn(host, AGENT_ID, dir, publicPort, FreePorts.next(), FreePorts.next());
            return new IsolatedLoadBalancer(host, agent, publicPort, dir);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** Where its files are; its HAProxy's command line names this directory. */
    Path dir() {
        return dir;
    }

    boolean isReady() {
        return agent.isReady();
    }

    void cut() {
        host.cut();
    }

    void heal() {
        host.heal();
    }

    /** The body of one {@code GET /} for {@code hostName} through this HAProxy, on a new connection. */
    Optional<String> answer(String hostName) {
        try {
            return Optional.of(TrafficGenerator.get(host.address(), publicPort, hostName, "/"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops the agent and its HAProxy, then tells lb-config-service to stop waiting for the agent
     * (as an operator does for a load balancer that is gone for good), and removes the host.
     *
     * @return null when lb-config-service took the removal, else why not
     */
    String stop(String lbConfigUrl, String operatorToken, Duration deadline) {
        agent.close();
        String outcome = forgetAgent(lbConfigUrl, operatorToken, deadline);
        host.close();
        return outcome;
    }

    /** {@code DELETE /agents/<id>}, asked again while the agent still counts as live (409). */
    private static String forgetAgent(String lbConfigUrl, String operatorToken, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        String last = "not asked";
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(lbConfigUrl + "/agents/" + AGENT_ID))
                        .header("Authorization", "Bearer " + operatorToken).timeout(Duration.ofSeconds(5)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 204) {
                    return null;
                }
                last = "HTTP " + r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "DELETE /agents/" + AGENT_ID + " was not taken within " + deadline.toSeconds() + " s: " + last;
    }

    @Override
    public void close() {
        agent.close();
        host.close();
    }
}
