package io.bgdeploy.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The deployer's reference-compatible REST API, as the demo and the end-to-end tests use it. */
public final class DeployerClient {

    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClients.http11(Duration.ofSeconds(2));

    public DeployerClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** Stores a descriptor; returns its id (from the {@code Location} header). */
    public String createDescriptor(String namespace, String descriptorJson) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/descriptors/?namespace=" + namespace))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(descriptorJson)), 201);
        return idFromLocation(r, "/descriptors/");
    }

    /** Starts a deployment of a stored descriptor; returns the deployment id. */
    public String deploy(String namespace, String descriptorId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/deployments/?namespace=" + namespace
                + "&descriptorId=" + descriptorId)).POST(HttpRequest.BodyPublishers.noBody()), 202);
        return idFromLocation(r, "/deployments/");
    }

    public JsonNode deployment(String namespace, String deploymentId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/deployments/" + deploymentId + "/?namespace=" + namespace)).GET(), 200);
        try {
            return EventCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("deployment " + deploymentId + " is not JSON: " + r.body(), e);
        }
    }

    public String status(String namespace, String deploymentId) {
        return deployment(namespace, deploymentId).path("status").asText();
    }

    public String logs(String namespace, String deploymentId) {
        return send(HttpRequest.newBuilder(uri("/deployments/" + deploymentId + "/logs?namespace=" + namespace)).GET(), 200).body();
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, int expected) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(r.request().method() + " " + r.request().uri() + " answered "
                        + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("deployer at " + baseUrl + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String idFromLocation(HttpResponse<String> r, String prefix) {
        String location = r.headers().firstValue("Location").orElseThrow(() ->
                new IllegalStateException("no Location header in the answer to " + r.request().uri()));
        String path = URI.create(location).getPath();
        int at = path.indexOf(prefix);
        if (at < 0) {
            throw new IllegalStateException("unexpected Location " + location);
        }
        String id = path.substring(at + prefix.length());
        return id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
    }
}
