package io.bgdeploy.health.probe;

import io.bgdeploy.events.Names;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.model.ProbeEvaluator;
import io.bgdeploy.health.model.ProbeTarget;
import io.bgdeploy.health.model.Prober;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Probes pods with the non-blocking Vert.x HTTP client: hundreds of pods share the event loops,
 * no thread waits for a pod. Each probe has an absolute deadline (the check's timeout, covering
 * connect, headers and body) and reads at most {@value #MAX_BODY} bytes of the body.
 */
public final class VertxHttpProber implements Prober, AutoCloseable {

    static final int MAX_BODY = 4096;

    private final Vertx vertx;
    private final HttpClient client;

    public VertxHttpProber(Vertx vertx, int connectionsPerPod) {
        this.vertx = vertx;
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setTryUseCompression(false)
                .setName("health-probes");
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connectionsPerPod));
    }

    @Override
    public CompletionStage<ProbeResult> probe(ProbeTarget target) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        Instant at = Instant.now();
        long started = System.nanoTime();
        long timeout = target.check().timeoutMillis();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long timer = vertx.setTimer(timeout, id -> {
            if (result.complete(ProbeEvaluator.failed(at, elapsedMillis(started),
                    "no answer within the timeout of " + timeout + " ms"))) {
                HttpClientRequest r = request.get();
                if (r != null) {
                    r.reset();
                }
            }
        });
        result.whenComplete((r, e) -> vertx.cancelTimer(timer));

        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(target.address())
                .setPort(target.check().port())
                .setURI(target.check().path())
                .setConnectTimeout(timeout)
                .putHeader("User-Agent", "bgdeploy-health-service")
                .putHeader("Accept", "application/json, text/plain, */*");
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                result.complete(ProbeEvaluator.failed(at, elapsedMillis(started), reason(created.cause())));
                return;
            }
            HttpClientRequest req = created.result();
            req.exceptionHandler(e -> result.complete(ProbeEvaluator.failed(at, elapsedMillis(started), reason(e))));
            request.set(req);
            if (result.isDone()) {
                req.reset();
                return;
            }
            req.send().onComplete(sent -> {
                if (sent.failed()) {
                    result.complete(ProbeEvaluator.failed(at, elapsedMillis(started), reason(sent.cause())));
                    return;
                }
                readBody(sent.result(), req, target, at, started, result);
            });
        });
        return result;
    }

    private void readBody(HttpClientResponse response, HttpClientRequest request, ProbeTarget target, Instant at,
                          long started, CompletableFuture<ProbeResult> result) {
        Buffer body = Buffer.buffer();
        int status = response.statusCode();
        response.exceptionHandler(e -> result.complete(ProbeEvaluator.failed(at, elapsedMillis(started),
                "HTTP " + status + ", then the body failed: " + reason(e))));
        response.handler(chunk -> {
            if (result.isDone()) {
                return;
            }
            int room = MAX_BODY - body.length();
            body.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            if (chunk.length() >= room) {
                result.complete(evaluate(target, at, started, status, body));
                request.reset();
            }
        });
        response.endHandler(v -> result.complete(evaluate(target, at, started, status, body)));
    }

    private static ProbeResult evaluate(ProbeTarget target, Instant at, long started, int status, Buffer body) {
        return ProbeEvaluator.evaluate(target.check().type(), at, elapsedMillis(started), status,
                body.toString(StandardCharsets.UTF_8));
    }

    private static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    static String reason(Throwable e) {
        String message = e.getMessage();
        String name = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return name;
        }
        if (e instanceof java.net.ConnectException || name.contains("Connect")) {
            return "cannot connect: " + Names.printable(message);
        }
        return Names.printable(message);
    }

    @Override
    public void close() {
        client.close();
    }
}
