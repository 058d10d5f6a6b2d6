package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.receiver.GelfHttpReceiver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** GELF HTTP against a receiver that behaves as Graylog's bulk input: what is settled, and when. */
class HttpGelfTransportTest {

    private static final GelfTransports.Options OPTIONS = new GelfTransports.Options(Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofMillis(250), 1420, 4, 16 * 1024, true, Optional.empty());
    private static final GelfMapper MAPPER = new GelfMapper(new GelfMapper.Settings(64 * 1024, 6, 3));

    private static void send(GelfTransport transport, String line) throws IOException {
        GelfMessage message = message(line);
        transport.send(transport.encode(message));
    }

    private static GelfMessage message(String line) {
        return MAPPER.map(new ContainerLogRecord(Instant.now(), "stdout", line, "shop", "cart", "3", "cart-3-7f9c", "app",
                "node-1", "dep-42"));
    }

    /** Settles until {@code count} messages are settled; returns the receipts. */
    private static List<GelfTransport.Receipt> settle(GelfTransport http, int count) {
        List<GelfTransport.Receipt> receipts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            GelfTransport.Receipt r = http.settle();
            if (r.settled() > 0) {
                receipts.add(r);
            }
            return receipts.stream().mapToInt(GelfTransport.Receipt::settled).sum() >= count;
        });
        return receipts;
    }

    @Test
    void messagesGoInGzippedBulkRequestsOverKeptAliveConnectionsAndSettleInOrderWhenAccepted() throws IOException {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver();
             GelfTransport http = GelfTransports.fromUrl(startedReceiverUrl(receiver), OPTIONS)) {
            for (int i = 0; i < 2000; i++) {
                send(http, "bulk line " + i);
            }
            http.flush();
            List<GelfTransport.Receipt> receipts = settle(http, 2000);

            assertThat(receipts).allSatisfy(r -> assertThat(r.refusals()).isEmpty());
            assertThat(receipts.stream().mapToInt(GelfTransport.Receipt::settled).sum()).isEqualTo(2000);
            assertThat(receiver.messages()).extracting(m -> m.get("short_message").asText())
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 2000).mapToObj(i -> "bulk line " + i).toList());
            assertThat(receiver.requests()).as("requests for 2000 messages in 16 KiB batches").isBetween(10L, 200L);
            assertThat(receiver.gzippedRequests()).isEqualTo(receiver.requests());
            assertThat(receiver.connections()).as("connections kept alive, at most one per request in flight")
                    .isLessThanOrEqualTo(OPTIONS.httpConcurrency());
        }
    }

    @Test
    void aMessageTheReceiverRefusesForGoodIsSingledOutAndTheOthersAreDelivered() throws IOException {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver()) {
            receiver.refuse(m -> m.get("short_message").asText().startsWith("poison"));
            try (GelfTransport http = GelfTransports.fromUrl(startedReceiverUrl(receiver), OPTIONS)) {
                for (int i = 0; i < 300; i++) {
                    send(http, i == 123 ? "poison pill" : "line " + i);
                }
                http.flush();
                List<GelfTransport.Receipt> receipts = settle(http, 300);

                List<Integer> refused = new ArrayList<>();
                int offset = 0;
                for (GelfTransport.Receipt r : receipts) {
                    for (GelfTransport.Refusal refusal : r.refusals()) {
                        refused.add(offset + refusal.index());
                        assertThat(refusal.reason()).contains("400", "refused by the receiver's rule");
                    }
                    offset += r.settled();
                }
                assertThat(refused).containsExactly(123);
                assertThat(receiver.countBy(m -> m.get("short_message").asText())).hasSize(299)
                        .doesNotContainKey("poison pill");
            }
        }
    }

    @Test
    void aRequestLargerThanTheInputAcceptsIsSplitAndOnlyAMessageTooLargeAloneIsRefused() throws IOException {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver(8 * 1024)) {
            try (GelfTransport http = GelfTransports.fromUrl(startedReceiverUrl(receiver), OPTIONS)) {
                for (int i = 0; i < 200; i++) {
                    send(http, i == 50 ? "big " + "x".repeat(20_000) : "line " + i);
                }
                http.flush();
                List<GelfTransport.Receipt> receipts = settle(http, 200);

                List<GelfTransport.Refusal> refusals = receipts.stream().flatMap(r -> r.refusals().stream()).toList();
                assertThat(refusals).hasSize(1);
                assertThat(refusals.get(0).reason()).contains("413", "max_chunk_size");
                assertThat(receiver.countBy(m -> m.get("short_message").asText())).hasSize(199);
            }
        }
    }

    @Test
    void noAnswerOrAnAnswerOtherThan202FailsTheSettleAndAResetSendsAfresh() throws IOException {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver()) {
            try (GelfTransport http = GelfTransports.fromUrl(startedReceiverUrl(receiver), OPTIONS)) {
                receiver.answer(503);
                send(http, "during 503");
                http.flush();
                assertThat(failureOfSettle(http)).hasMessageContaining("answered 503");

                http.reset();
                receiver.stop();
                send(http, "while down");
                http.flush();
                assertThat(failureOfSettle(http)).hasMessageContaining("failed");

                http.reset();
                receiver.answer(202);
                receiver.start();
                send(http, "back");
                http.flush();
                assertThat(settle(http, 1)).singleElement().satisfies(r -> assertThat(r.settled()).isEqualTo(1));
                assertThat(receiver.messages()).extracting(m -> m.get("short_message").asText()).containsExactly("back");
            }
        }
    }

    @Test
    void anInputThatAsksForAnAuthorizationHeaderGetsIt() throws IOException {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver()) {
            receiver.requireAuthorization("Bearer s3cret");
            String url = startedReceiverUrl(receiver);
            try (GelfTransport without = GelfTransports.fromUrl(url, OPTIONS)) {
                send(without, "without the header");
                without.flush();
                assertThat(failureOfSettle(without)).hasMessageContaining("401").hasMessageContaining("logshipper.shipper.http-authorization");
            }
            GelfTransports.Options withHeader = new GelfTransports.Options(OPTIONS.connectTimeout(), OPTIONS.writeTimeout(),
                    OPTIONS.confirmDelay(), OPTIONS.udpDatagramBytes(), OPTIONS.httpConcurrency(), OPTIONS.httpBatchBytes(),
                    OPTIONS.httpGzip(), Optional.of("Bearer s3cret"));
            try (GelfTransport with = GelfTransports.fromUrl(url, withHeader)) {
                send(with, "with the header");
                with.flush();
                settle(with, 1);
            }
            assertThat(receiver.messages()).extracting(m -> m.get("short_message").asText()).containsExactly("with the header");
        }
        assertThatThrownBy(() -> new GelfTransports.Options(OPTIONS.connectTimeout(), OPTIONS.writeTimeout(), OPTIONS.confirmDelay(),
                OPTIONS.udpDatagramBytes(), 4, 1024, true, Optional.of("Bearer x\r\nX-Evil: 1")))
                .hasMessageContaining("one line of printable");
    }

    /** Settles until the transport reports a failure, which it returns; nothing may be settled meanwhile. */
    private static IOException failureOfSettle(GelfTransport http) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                assertThat(http.settle().settled()).isZero();
                return null;
            } catch (IOException e) {
                return e;
            }
        }, e -> e != null);
    }

    private static String startedReceiverUrl(GelfHttpReceiver receiver) {
        receiver.start();
        return receiver.url();
    }
}
