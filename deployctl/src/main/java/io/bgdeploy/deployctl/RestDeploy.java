package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A deployment through the deployer's REST API, the way the reference deployer's CI scripts did
 * it: {@code POST /descriptors/?namespace=}, then {@code POST /deployments/?namespace=&descriptorId=},
 * then {@code GET /deployments/{id}/?namespace=} until the status is final.
 */
public final class RestDeploy {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final Optional<String> token;
    private final Duration pollInterval;
    private final Consumer<String> out;
    private final Consumer<String> warn;

    public RestDeploy(URI base, Optional<String> token, Duration pollInterval, Consumer<String> out, Consumer<String> warn) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base;
        this.token = token;
        this.pollInterval = pollInterval;
        this.out = out;
        this.warn = warn;
    }

    public Outcome deploy(Descriptor descriptor, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String ns = descriptor.namespace();
        try {
            out.accept("requesting " + descriptor.key() + " version " + descriptor.newVersion() + " from " + base);
            HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/descriptors/?namespace=" + enc(ns)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(EventCodec.write(descriptor))));
            if (created.statusCode() != 201) {
                return refused("storing the descriptor", created);
            }
            String descriptorId = field(created.body(), "id");
            HttpResponse<String> accepted = send(HttpRequest.newBuilder(
                    uri("/deployments/?namespace=" + enc(ns) + "&descriptorId=" + enc(descriptorId)))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            if (accepted.statusCode() != 202) {
                return refused("starting the deployment", accepted);
            }
            String deploymentId = field(accepted.body(), "id");
            out.accept("accepted: deployment " + deploymentId + " of " + descriptor.key() + " version "
                    + field(accepted.body(), "version"));
            RestFollower follower = new RestFollower(deploymentId, out);
            URI status = uri("/deployments/" + enc(deploymentId) + "/?namespace=" + enc(ns));
            while (System.nanoTime() < deadline) {
                Optional<JsonNode> snapshot = poll(status);
                if (snapshot.isPresent()) {
                    Optional<Outcome> outcome = follower.onSnapshot(snapshot.get());
                    if (outcome.isPresent()) {
                        if (outcome.get().exitCode() == Outcome.FAILURE) {
                            printLog(uri("/deployments/" + enc(deploymentId) + "/logs?namespace=" + enc(ns)));
                        }
                        return outcome.get();
                    }
                }
                Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
            }
            Outcome timedOut = Outcome.timedOut("deployment " + deploymentId + " of " + descriptor.key()
                    + " did not finish within " + Durations.format(timeout)
                    + follower.phase().map(p -> "; it is in phase " + p).orElse("")
                    + ". It goes on in the deployer: check " + status);
            out.accept(timedOut.summary());
            return timedOut;
        } catch (IOException e) {
            return Outcome.cannotRun("cannot reach the deployer at " + base + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.cannotRun("interrupted");
        } catch (UnexpectedAnswer e) {
            return Outcome.cannotRun(e.getMessage());
        }
    }

    /** One status poll; a failed poll is reported and retried (the deployer may be restarting). */
    private Optional<JsonNode> poll(URI status) throws InterruptedException {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(status).GET());
            if (r.statusCode() == 200) {
                return Optional.of(EventCodec.mapper().readTree(r.body()));
            }
            warn.accept("GET " + status + " answered " + r.statusCode() + ": " + Names.printable(excerpt(r.body())));
        } catch (IOException e) {
            warn.accept("GET " + status + " failed: " + e.getMessage() + "; retrying");
        }
        return Optional.empty();
    }

    /** The deployment's own log, step by step, so a CI log shows why it failed. */
    private void printLog(URI logs) throws InterruptedException {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(logs).GET());
            if (r.statusCode() == 200 && !r.body().isBlank()) {
                out.accept("deployment log:");
                r.body().lines().forEach(line -> out.accept("  " + Names.printable(line)));
            }
        } catch (IOException e) {
            warn.accept("GET " + logs + " failed: " + e.getMessage());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A 4xx answer is the deployer refusing (exit 2); anything else means it could not be asked. */
    private Outcome refused(String what, HttpResponse<String> r) {
        int code = r.statusCode();
        if (code < 400 || code >= 500) {
            return Outcome.cannotRun(what + ": the deployer answered " + code + " " + Names.printable(excerpt(r.body())));
        }
        String error = excerpt(r.body());
        JsonNode problems = null;
        try {
            JsonNode body = EventCodec.mapper().readTree(r.body());
            if (body != null && body.hasNonNull("error")) {
                error = body.get("error").asText();
                problems = body.get("problems");
            }
        } catch (IOException e) {
            error = excerpt(r.body());
        }
        String hint = switch (code) {
            case 401 -> " (give a valid token with --token-file)";
            case 403 -> " (the token may not deploy to this namespace)";
            default -> "";
        };
        out.accept("REJECTED while " + what + " (HTTP " + code + "): " + Names.printable(error) + hint);
        if (problems != null && problems.isArray()) {
            problems.forEach(p -> out.accept("  - " + Names.printable(p.asText())));
        }
        return Outcome.rejected("rejected: " + Names.printable(error));
    }

    private URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String field(String body, String name) throws UnexpectedAnswer {
        try {
            JsonNode node = EventCodec.mapper().readTree(body);
            if (node != null && node.hasNonNull(name)) {
                return node.get(name).asText();
            }
        } catch (IOException e) {
            throw new UnexpectedAnswer("the deployer's answer is not JSON: " + Names.printable(excerpt(body)));
        }
        throw new UnexpectedAnswer("the deployer's answer has no '" + name + "': " + Names.printable(excerpt(body)));
    }

    private static String excerpt(String body) {
        String b = body == null ? "" : body.strip();
        return b.length() > 300 ? b.substring(0, 300) + "..." : b;
    }

    private static final class UnexpectedAnswer extends Exception {
        UnexpectedAnswer(String message) {
            super(message);
        }
    }
}
