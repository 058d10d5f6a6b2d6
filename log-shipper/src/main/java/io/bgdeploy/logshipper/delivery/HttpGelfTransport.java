package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfJson;
import io.bgdeploy.logshipper.gelf.GelfMessage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * GELF over HTTP(S): one {@code POST} per message, delivered when Graylog answers 202 Accepted.
 * Up to {@code concurrency} requests are in flight; {@link #flush()} waits for all of them and
 * fails if any did not get its 202.
 */
public final class HttpGelfTransport implements GelfTransport {

    private final URI uri;
    private final Duration requestTimeout;
    private final int concurrency;
    private final HttpClient client;
    private final ArrayDeque<CompletableFuture<HttpResponse<Void>>> inFlight = new ArrayDeque<>();

    public HttpGelfTransport(URI uri, Duration connectTimeout, Duration requestTimeout, int concurrency) {
        this.uri = uri;
        this.requestTimeout = requestTimeout;
        this.concurrency = Math.max(1, concurrency);
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    @Override
    public void send(GelfMessage message) throws IOException {
        while (inFlight.size() >= concurrency) {
            await(inFlight.removeFirst());
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(GelfJson.encode(message)))
                .build();
        inFlight.addLast(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
    }

    @Override
    public void flush() throws IOException {
        while (!inFlight.isEmpty()) {
            await(inFlight.removeFirst());
        }
    }

    private void await(CompletableFuture<HttpResponse<Void>> response) throws IOException {
        try {
            int status = response.get().statusCode();
            if (status != 202) {
                throw new IOException("GELF HTTP input " + describe() + " answered " + status + " instead of 202");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to " + describe(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("GELF HTTP POST to " + describe() + " failed: " + cause, cause);
        }
    }

    @Override
    public void verify() throws IOException {
        flush();
    }

    @Override
    public Duration confirmDelay() {
        return Duration.ZERO;
    }

    @Override
    public void reset() {
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public void close() {
        reset();
    }
}
