package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.Names;
import io.bgdeploy.logshipper.gelf.GelfJson;
import io.bgdeploy.logshipper.gelf.Gzip;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;

/**
 * GELF over HTTP(S), the transport that can prove delivery: Graylog answers {@code 202 Accepted}
 * only for a request it took. Messages go in bulk, newline-separated in one {@code POST} (the GELF
 * HTTP input's "Enable Bulk Receiving"), gzip-compressed, over keep-alive connections, with up to
 * {@code concurrency} requests in flight. While requests are in flight, messages gather into the
 * next request (up to the batch size), so that requests grow when Graylog is the slower side and
 * stay small, and quick, when it keeps up.
 * <ul>
 *   <li>202: every message of the request is settled.</li>
 *   <li>400 or 413 for a request of several messages: it is split in halves, sent again, until the
 *   message Graylog refuses is alone; that one is settled as refused, with the reason, so the
 *   caller can put it aside and go on.</li>
 *   <li>Anything else (no answer within the request timeout, a dropped connection, 5xx, 401, 404,
 *   another 2xx): {@link #settle()} throws, and the caller sends everything unsettled again.</li>
 * </ul>
 */
public final class HttpGelfTransport implements GelfTransport {

    /** Settings of the HTTP transport. */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int concurrency, int batchBytes,
                           boolean gzip, Optional<String> authorization) {
        public Settings {
            if (concurrency < 1) {
                throw new IllegalArgumentException("HTTP concurrency must be at least 1, was " + concurrency);
            }
            if (batchBytes < MIN_BATCH_BYTES) {
                throw new IllegalArgumentException("an HTTP batch must allow at least " + MIN_BATCH_BYTES + " bytes, was " + batchBytes);
            }
        }
    }

    private static final Logger LOG = Logger.getLogger(HttpGelfTransport.class);
    private static final int REASON_CHARS = 200;
    private static final int MIN_BATCH_BYTES = 1024;

    /** One POST and the JSON lines it carries, kept until settled so that a refused request can be split. */
    private static final class Post {
        final List<byte[]> lines;
        final int bytes;
        final CompletableFuture<HttpResponse<String>> response;

        Post(List<byte[]> lines, int bytes, CompletableFuture<HttpResponse<String>> response) {
            this.lines = lines;
            this.bytes = bytes;
            this.response = response;
        }
    }

    private final URI uri;
    private final Settings settings;
    private final HttpClient client;
    /** Joins and compresses request bodies, and runs the client's own tasks. */
    private final ExecutorService executor;
    private final ArrayDeque<Post> posts = new ArrayDeque<>();
    private List<byte[]> batch = new ArrayList<>();
    private int batchBytes;
    /** Lowered when the input refuses a request of several messages as too large (413). */
    private int batchLimit;

    public HttpGelfTransport(URI uri, Settings settings) {
        this.uri = uri;
        this.settings = settings;
        this.batchLimit = settings.batchBytes();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "gelf-http");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .executor(executor)
                .build();
    }

    @Override
    public byte[] encode(GelfMessage message) {
        return GelfJson.encode(message);
    }

    @Override
    public void send(byte[] json) throws IOException {
        if (!batch.isEmpty() && batchBytes + json.length + 1 > batchLimit) {
            awaitFreeSlot();
            postBatch();
        }
        batch.add(json);
        batchBytes += json.length + 1;
    }

    /**
     * Starts a request for the messages gathered when no request is in flight, or when a slot is
     * free and they make a quarter of a full request: a few messages do not go alone beside
     * requests still on their way, they join the next one.
     */
    @Override
    public void flush() {
        if (batch.isEmpty()) {
            return;
        }
        int open = openRequests();
        if (open == 0 || open < settings.concurrency() && batchBytes >= batchLimit / 4) {
            postBatch();
        }
    }

    private void postBatch() {
        posts.addLast(post(batch));
        batch = new ArrayList<>();
        batchBytes = 0;
    }

    private int openRequests() {
        int open = 0;
        for (Post p : posts) {
            if (!p.response.isDone()) {
                open++;
            }
        }
        return open;
    }

    /** Waits while {@code concurrency} requests are unanswered; their answers stay for {@link #settle()}. */
    private void awaitFreeSlot() throws IOException {
        while (true) {
            Post oldestOpen = null;
            int open = 0;
            for (Post p : posts) {
                if (!p.response.isDone()) {
                    open++;
                    if (oldestOpen == null) {
                        oldestOpen = p;
                    }
                }
            }
            if (open < settings.concurrency()) {
                return;
            }
            try {
                oldestOpen.response.get(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + describe(), e);
            } catch (ExecutionException | TimeoutException e) {
                // settle() reports it
                return;
            }
        }
    }

    /** Starts a POST; the body is joined and compressed off the shipping thread, which goes on reading. */
    private Post post(List<byte[]> lines) {
        int bytes = lines.size() - 1;
        for (byte[] line : lines) {
            bytes += line.length;
        }
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> request(lines), executor)
                .thenCompose(request -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        return new Post(lines, bytes, response);
    }

    private HttpRequest request(List<byte[]> lines) {
        byte[] body = body(lines);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json");
        if (settings.gzip()) {
            body = Gzip.compress(body, Deflater.BEST_SPEED);
            request.header("Content-Encoding", "gzip");
        }
        settings.authorization().ifPresent(value -> request.header("Authorization", value));
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** GELF messages separated by newlines (JSON never contains a raw newline: Jackson escapes it). */
    private static byte[] body(List<byte[]> lines) {
        int size = lines.size() - 1;
        for (byte[] line : lines) {
            size += line.length;
        }
        byte[] body = new byte[size];
        int at = 0;
        for (byte[] line : lines) {
            if (at > 0) {
                body[at++] = '\n';
            }
            System.arraycopy(line, 0, body, at, line.length);
            at += line.length;
        }
        return body;
    }

    @Override
    public Receipt settle() throws IOException {
        int settled = 0;
        List<Refusal> refusals = new ArrayList<>();
        while (!posts.isEmpty() && posts.peekFirst().response.isDone()) {
            Post head = posts.peekFirst();
            HttpResponse<String> response = answer(head);
            int status = response.statusCode();
            if (status == 202) {
                posts.removeFirst();
                settled += head.lines.size();
            } else if (status == 400 || status == 413) {
                posts.removeFirst();
                if (head.lines.size() == 1) {
                    refusals.add(new Refusal(settled, refusal(response, head.lines.get(0).length)));
                    settled++;
                } else {
                    if (status == 413) {
                        lowerBatchLimit(head.bytes);
                    }
                    int half = head.lines.size() / 2;
                    posts.addFirst(post(head.lines.subList(half, head.lines.size())));
                    posts.addFirst(post(head.lines.subList(0, half)));
                }
            } else {
                throw new IOException("GELF HTTP input " + describe() + " answered " + status + excerpt(response)
                        + advice(status));
            }
        }
        flush();
        return new Receipt(settled, refusals);
    }

    /** Learns the input's size limit, so that later requests fit it the first time. */
    private void lowerBatchLimit(int refusedBytes) {
        int limit = Math.max(MIN_BATCH_BYTES, refusedBytes / 2);
        if (limit < batchLimit) {
            batchLimit = limit;
            LOG.infof("GELF HTTP input %s refused a request of %d bytes as too large; sending at most %d bytes per "
                    + "request from now on (raise the input's max_chunk_size to send more at once)", describe(), refusedBytes, limit);
        }
    }

    private HttpResponse<String> answer(Post post) throws IOException {
        try {
            return post.response.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to " + describe(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String what = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new IOException("GELF HTTP POST to " + describe() + " failed: " + what, cause);
        }
    }

    private static String refusal(HttpResponse<String> response, int bytes) {
        String reason = "HTTP " + response.statusCode() + " for this message alone (" + bytes + " bytes of JSON)"
                + excerpt(response);
        if (response.statusCode() == 413) {
            reason += "; raise the input's max_chunk_size or lower logshipper.gelf.max-message-bytes";
        }
        return reason;
    }

    private static String excerpt(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return "";
        }
        String trimmed = body.strip();
        return ": " + Names.printable(trimmed.length() > REASON_CHARS ? trimmed.substring(0, REASON_CHARS) + "…" : trimmed);
    }

    private static String advice(int status) {
        return switch (status) {
            case 401, 403 -> " (the input asks for an Authorization header: set logshipper.shipper.http-authorization)";
            case 404, 405 -> " (is graylog.gelf.url the path of a GELF HTTP input, usually /gelf?)";
            case 200, 201, 204 -> " instead of 202 (is graylog.gelf.url a GELF HTTP input?)";
            default -> "";
        };
    }

    @Override
    public Duration settleWait() {
        return posts.isEmpty() && batch.isEmpty() ? Duration.ZERO : Duration.ofMillis(1);
    }

    @Override
    public Proof proof() {
        return Proof.ACKNOWLEDGED;
    }

    @Override
    public boolean refuses() {
        return true;
    }

    @Override
    public void reset() {
        posts.forEach(p -> p.response.cancel(true));
        posts.clear();
        batch = new ArrayList<>();
        batchBytes = 0;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public void close() {
        reset();
        executor.shutdownNow();
    }
}
