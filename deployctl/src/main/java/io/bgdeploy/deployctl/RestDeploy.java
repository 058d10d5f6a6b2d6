package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A deployment through the deployer's REST API, the way the reference deployer's CI scripts did
 * it: {@code POST /descriptors/?namespace=}, then {@code POST /deployments/?namespace=&descriptorId=},
 * then {@code GET /deployments/{id}/?namespace=} until the status is final.
 */
public final class RestDeploy {

    private final DeployerApi api;
    private final Duration pollInterval;
    private final Consumer<String> out;
    private final Consumer<String> warn;

    public RestDeploy(URI base, Optional<String> token, Duration pollInterval, Consumer<String> out, Consumer<String> warn) {
        this.api = new DeployerApi(base, token);
        this.pollInterval = pollInterval;
        this.out = out;
        this.warn = warn;
    }

    public Outcome deploy(Descriptor descriptor, Duration timeout) {
        String ns = descriptor.namespace();
        try {
            out.accept("requesting " + descriptor.key() + " version " + descriptor.newVersion() + " from " + api.base());
            HttpResponse<String> created = api.send(HttpRequest.newBuilder(api.uri("/descriptors/?namespace=" + enc(ns)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(EventCodec.write(descriptor))));
            if (created.statusCode() != 201) {
                return api.refused("storing the descriptor", created, out);
            }
            String descriptorId = DeployerApi.field(created.body(), "id");
            HttpResponse<String> accepted = api.send(HttpRequest.newBuilder(
                    api.uri("/deployments/?namespace=" + enc(ns) + "&descriptorId=" + enc(descriptorId)))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            if (accepted.statusCode() != 202) {
                return api.refused("starting the deployment", accepted, out);
            }
            String deploymentId = DeployerApi.field(accepted.body(), "id");
            out.accept("accepted: deployment " + deploymentId + " of " + descriptor.key() + " version "
                    + DeployerApi.field(accepted.body(), "version"));
            return follow(ns, deploymentId, timeout);
        } catch (IOException e) {
            return api.unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.cannotRun("interrupted");
        } catch (DeployerApi.UnexpectedAnswer e) {
            return Outcome.cannotRun(e.getMessage());
        }
    }

    /**
     * Polls a deployment until its status is final, printing each phase; on FAILURE the
     * deployment's own log is printed too.
     */
    Outcome follow(String ns, String deploymentId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RestFollower follower = new RestFollower(deploymentId, out);
        URI status = api.uri("/deployments/" + enc(deploymentId) + "/?namespace=" + enc(ns));
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> snapshot = poll(status);
            if (snapshot.isPresent()) {
                Optional<Outcome> outcome = follower.onSnapshot(snapshot.get());
                if (outcome.isPresent()) {
                    if (outcome.get().exitCode() == Outcome.FAILURE) {
                        printLog(api.uri("/deployments/" + enc(deploymentId) + "/logs?namespace=" + enc(ns)));
                    }
                    return outcome.get();
                }
            }
            Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
        }
        Outcome timedOut = Outcome.timedOut("deployment " + deploymentId + " of " + ns
                + " did not finish within " + Durations.format(timeout)
                + follower.phase().map(p -> "; it is in phase " + p).orElse("")
                + ". It goes on in the deployer: check " + status).with("deploymentId", deploymentId);
        out.accept(timedOut.summary());
        return timedOut;
    }

    /** One status poll; a failed poll is reported and retried (the deployer may be restarting). */
    private Optional<JsonNode> poll(URI status) throws InterruptedException {
        try {
            HttpResponse<String> r = api.send(HttpRequest.newBuilder(status).GET());
            if (r.statusCode() == 200) {
                return Optional.of(EventCodec.mapper().readTree(r.body()));
            }
            warn.accept("GET " + status + " answered " + r.statusCode() + ": " + Names.printable(DeployerApi.excerpt(r.body())));
        } catch (IOException e) {
            warn.accept("GET " + status + " failed: " + e.getMessage() + "; retrying");
        }
        return Optional.empty();
    }

    /** The deployment's own log, step by step, so a CI log shows why it failed. */
    private void printLog(URI logs) throws InterruptedException {
        try {
            HttpResponse<String> r = api.send(HttpRequest.newBuilder(logs).GET());
            if (r.statusCode() == 200 && !r.body().isBlank()) {
                out.accept("deployment log:");
                r.body().lines().forEach(line -> out.accept("  " + Names.printable(line)));
            }
        } catch (IOException e) {
            warn.accept("GET " + logs + " failed: " + e.getMessage());
        }
    }

    private static String enc(String s) {
        return DeployerApi.enc(s);
    }
}
