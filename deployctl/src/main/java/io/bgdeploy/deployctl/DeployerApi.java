package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;

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
 * The deployer's REST API as deployctl calls it: a bearer token on every request, JSON answers, and
 * a refusal (4xx) told apart from a deployer that could not be asked.
 */
final class DeployerApi {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final Optional<String> token;

    DeployerApi(URI base, Optional<String> token) {
        // HTTP/1.1 as the deployer speaks it; the JDK's default would ask every new plain-HTTP
        // connection to upgrade to h2c, which a proxy in front of the deployer might accept
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base;
        this.token = token;
    }

    URI base() {
        return base;
    }

    Optional<String> token() {
        return token;
    }

    /** An answer the caller cannot use; the message says what came back. */
    static final class UnexpectedAnswer extends Exception {
        UnexpectedAnswer(String message) {
            super(message);
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    /** GET that must answer 200 with JSON; a 4xx is a refusal, anything else an {@link UnexpectedAnswer}. */
    JsonNode getJson(String pathAndQuery, String what, Consumer<String> out) throws IOException, InterruptedException,
            UnexpectedAnswer, Refused {
        HttpResponse<String> r = get(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new Refused(refused(what, r, out));
        }
        return json(r.body());
    }

    /** A 4xx answer: the outcome to end with, already printed. */
    static final class Refused extends Exception {
        private final transient Outcome outcome;

        Refused(Outcome outcome) {
            super(outcome.summary());
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    /** A 4xx answer is the deployer refusing (exit 2); anything else means it could not be asked. */
    Outcome refused(String what, HttpResponse<String> r, Consumer<String> out) {
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
            case 401 -> " (give a valid token with --token-file or $DEPLOYCTL_TOKEN)";
            case 403 -> " (the token is not one of this namespace)";
            default -> "";
        };
        out.accept("REJECTED while " + what + " (HTTP " + code + "): " + Names.printable(error) + hint);
        if (problems != null && problems.isArray()) {
            problems.forEach(p -> out.accept("  - " + Names.printable(p.asText())));
        }
        return Outcome.rejected("rejected: " + Names.printable(error)).with("httpStatus", code);
    }

    static JsonNode json(String body) throws UnexpectedAnswer {
        try {
            JsonNode node = EventCodec.mapper().readTree(body);
            if (node == null) {
                throw new UnexpectedAnswer("the deployer's answer is empty");
            }
            return node;
        } catch (IOException e) {
            throw new UnexpectedAnswer("the deployer's answer is not JSON: " + Names.printable(excerpt(body)));
        }
    }

    static String field(String body, String name) throws UnexpectedAnswer {
        JsonNode node = json(body);
        if (node.hasNonNull(name)) {
            return node.get(name).asText();
        }
        throw new UnexpectedAnswer("the deployer's answer has no '" + name + "': " + Names.printable(excerpt(body)));
    }

    static String excerpt(String body) {
        String b = body == null ? "" : body.strip();
        return b.length() > 300 ? b.substring(0, 300) + "..." : b;
    }

    /** What to end with when the deployer cannot be reached. */
    Outcome unreachable(IOException e) {
        return Outcome.cannotRun("cannot reach the deployer at " + base + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
}
