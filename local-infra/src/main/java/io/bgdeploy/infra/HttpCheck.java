package io.bgdeploy.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Whether a URL answers 200: a service's readiness, an HAProxy's stats page. */
public final class HttpCheck {

    private static final HttpClient HTTP = HttpClients.http11(Duration.ofMillis(500));

    private HttpCheck() {
    }

    /** Whether a GET of {@code url} answers 200 within {@code timeout}; not answering at all is {@code false}. */
    public static boolean answersOk(String url, Duration timeout) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
