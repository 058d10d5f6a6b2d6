package io.bgdeploy.logshipper.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.Topics;
import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.receiver.GelfHttpReceiver;
import io.bgdeploy.logshipper.receiver.GelfReceiver;
import io.bgdeploy.logshipper.receiver.GelfTcpReceiver;
import io.bgdeploy.logshipper.receiver.GelfUdpReceiver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real Kafka, the real shipping loop and spec-exact GELF receivers in place of Graylog. */
class GelfShipperIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static GelfReceiver receiver(String transport) {
        GelfReceiver r = switch (transport) {
            case "tcp" -> new GelfTcpReceiver();
            case "udp" -> new GelfUdpReceiver();
            case "http" -> new GelfHttpReceiver();
            default -> throw new IllegalArgumentException(transport);
        };
        r.start();
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp", "http"})
    void everyFieldArrivesAsSpecifiedAndAOneMegabyteLineArrivesTruncated(String transport) throws Exception {
        try (GelfReceiver receiver = receiver(transport); ShipperHarness h = new ShipperHarness()) {
            h.start(receiver.url());
            h.produce(ShipperHarness.record("ERROR payment declined for order 7 \uD83D\uDCB3"));
            h.produce(ShipperHarness.record("java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)"));
            h.produce(ShipperHarness.record("yyyy" + incompressible(1024 * 1024 - 4)));

            await().atMost(WAIT).until(() -> receiver.messages().size() >= 3);
            assertThat(receiver.rejections()).isEmpty();
            Map<String, JsonNode> byStart = new java.util.HashMap<>();
            receiver.messages().forEach(m -> byStart.put(m.get("short_message").asText().substring(0, 4), m));

            JsonNode error = byStart.get("ERRO");
            assertThat(error.get("version").asText()).isEqualTo("1.1");
            assertThat(error.get("host").asText()).isEqualTo("cart-3-7f9c");
            assertThat(error.get("short_message").asText()).isEqualTo("ERROR payment declined for order 7 \uD83D\uDCB3");
            assertThat(error.has("full_message")).isFalse();
            assertThat(error.get("timestamp").decimalValue()).isEqualByComparingTo("1795515330.123");
            assertThat(error.get("level").asInt()).isEqualTo(3);
            assertThat(error.get("_namespace").asText()).isEqualTo("shop");
            assertThat(error.get("_app").asText()).isEqualTo("cart");
            assertThat(error.get("_version").asText()).isEqualTo("3");
            assertThat(error.get("_pod").asText()).isEqualTo("cart-3-7f9c");
            assertThat(error.get("_container").asText()).isEqualTo("app");
            assertThat(error.get("_stream").asText()).isEqualTo("stdout");
            assertThat(error.get("_deployment_id").asText()).isEqualTo("dep-42");
            assertThat(error.get("_node").asText()).isEqualTo("node-1");

            JsonNode trace = byStart.get("java");
            assertThat(trace.get("short_message").asText()).isEqualTo("java.lang.IllegalStateException: boom");
            assertThat(trace.get("full_message").asText()).isEqualTo("java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)");

            JsonNode big = byStart.get("yyyy");
            assertThat(big.get("short_message").asText()).endsWith(GelfTruncation.marker(1024 * 1024));
            assertThat(big.get("_truncated").asText()).isEqualTo("true");
            if (receiver instanceof GelfUdpReceiver udp) {
                assertThat(udp.chunkedMessages()).isPositive();
            }
            await().atMost(WAIT).until(() -> h.stats.delivered.get() == 3);
        }
    }

    /** Text that gzip cannot shrink much, so that UDP has to chunk it. */
    static String incompressible(int length) {
        java.util.Random random = new java.util.Random(11);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('!' + random.nextInt(94)));
        }
        return sb.toString();
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopicWithTheReasonAndShippingGoesOn() throws Exception {
        try (GelfReceiver receiver = receiver("tcp"); ShipperHarness h = new ShipperHarness()) {
            h.start(receiver.url());
            h.produceRaw("shop/cart-3-7f9c", "this is not a CloudEvent");
            h.produce(ShipperHarness.record("after the bad one"));

            await().atMost(WAIT).until(() -> receiver.messages().size() == 1);
            assertThat(receiver.messages().get(0).get("short_message").asText()).isEqualTo("after the bad one");
            try (var dlq = KafkaTestClient.reader(h.bootstrap, h.dlqTopic)) {
                var letter = dlq.await(r -> "this is not a CloudEvent".equals(r.value()), WAIT);
                assertThat(KafkaTestClient.header(letter, Topics.DLQ_REASON_HEADER)).startsWith("not a container log record: not JSON");
            }
            assertThat(h.stats.deadLettered.get()).isEqualTo(1);
        }
    }

    @Test
    void aRecordGraylogRefusesForGoodGoesToTheDeadLetterTopicWithTheReasonAndThePartitionMovesOn() throws Exception {
        try (GelfHttpReceiver receiver = new GelfHttpReceiver(); ShipperHarness h = new ShipperHarness()) {
            receiver.refuse(m -> m.get("short_message").asText().equals("refused line"));
            receiver.start();
            h.start(receiver.url(), 500, 100);
            String pod = "cart-3-7f9c";
            h.produce(ShipperHarness.record(pod, "before"));
            h.produce(ShipperHarness.record(pod, "refused line"));
            h.produce(ShipperHarness.record(pod, "after"));

            await().atMost(WAIT).until(() -> receiver.countBy(m -> m.get("short_message").asText()).keySet()
                    .containsAll(java.util.List.of("before", "after")));
            try (var dlq = KafkaTestClient.reader(h.bootstrap, h.dlqTopic)) {
                var letter = dlq.await(r -> r.value().contains("refused line"), WAIT);
                assertThat(KafkaTestClient.header(letter, Topics.DLQ_REASON_HEADER))
                        .startsWith("refused by Graylog: HTTP 400 for this message alone").endsWith("refused by the receiver's rule");
                assertThat(KafkaTestClient.header(letter, io.bgdeploy.logshipper.source.DeadLetters.ORIGINAL_TOPIC_HEADER))
                        .isEqualTo(h.topic);
            }
            await().atMost(WAIT).until(() -> h.stats.delivered.get() == 2 && h.stats.refused.get() == 1 && h.stats.inFlight.get() == 0);
            assertThat(receiver.countBy(m -> m.get("short_message").asText())).doesNotContainKey("refused line");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void aReceiverOutageLosesNothingAndEverythingArrivesWhenItIsBack(String transport) throws Exception {
        int before = 100;
        int during = 400;
        try (GelfReceiver receiver = receiver(transport); ShipperHarness h = new ShipperHarness()) {
            h.start(receiver.url(), 50, 20);
            h.produceAll(IntStream.range(0, before).mapToObj(i -> ShipperHarness.record("line " + i)).toList());
            await().atMost(WAIT).until(() -> h.stats.delivered.get() == before);

            receiver.stop();
            h.produceAll(IntStream.range(before, before + during).mapToObj(i -> ShipperHarness.record("line " + i)).toList());
            await().atMost(WAIT).until(() -> !h.stats.reachable() && h.stats.deliveryFailures.get() >= 3 && h.stats.paused());
            assertThat(h.stats.inFlight.get()).as("records held in memory while Graylog is down").isLessThanOrEqualTo(50 + 20);

            receiver.start();
            await().atMost(WAIT).until(() -> receiver.countBy(m -> m.get("short_message").asText()).size() == before + during);
            await().atMost(WAIT).until(() -> h.stats.delivered.get() == before + during && h.stats.reachable());

            Map<String, Long> counts = receiver.countBy(m -> m.get("short_message").asText());
            long duplicates = counts.values().stream().mapToLong(c -> c - 1).sum();
            System.out.printf("%s outage: %d records sent, %d distinct received, %d duplicates, %d resends%n",
                    transport, before + during, counts.size(), duplicates, h.stats.resent.get());
            assertThat(receiver.rejections()).isEmpty();
            assertThat(counts.keySet()).containsAll(IntStream.range(0, before + during).mapToObj(i -> "line " + i).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void aReceiverStoppedInTheMiddleOfAStreamStillGetsEveryRecord(String transport) throws Exception {
        int total = 1000;
        try (GelfReceiver receiver = receiver(transport); ShipperHarness h = new ShipperHarness()) {
            h.start(receiver.url(), 500, 100);
            Thread producer = new Thread(() -> IntStream.range(0, total)
                    .forEach(i -> h.produce(ShipperHarness.record("stream " + i))));
            producer.start();
            await().atMost(WAIT).until(() -> receiver.messages().size() >= 300);
            receiver.stop();
            await().atMost(WAIT).until(() -> !h.stats.reachable());
            receiver.start();
            producer.join(60_000);
            await().atMost(WAIT).until(() -> h.stats.delivered.get() == total);

            Map<String, Long> counts = receiver.countBy(m -> m.get("short_message").asText());
            long duplicates = counts.values().stream().mapToLong(c -> c - 1).sum();
            System.out.printf("%s stopped mid-stream: %d records sent, %d distinct received, %d duplicates, %d resends%n",
                    transport, total, counts.size(), duplicates, h.stats.resent.get());
            assertThat(receiver.rejections()).isEmpty();
            assertThat(counts.keySet()).containsAll(IntStream.range(0, total).mapToObj(i -> "stream " + i).toList());
        }
    }

    @Test
    void instancesInOneConsumerGroupSplitThePartitionsAndShipEverything() throws Exception {
        int total = 400;
        try (GelfReceiver receiver = receiver("tcp"); ShipperHarness h = new ShipperHarness()) {
            ShipperStats first = h.startInstance(receiver.url(), 10_000, 500, new ShipperStats());
            ShipperStats second = h.startInstance(receiver.url(), 10_000, 500, new ShipperStats());
            await().atMost(WAIT).until(() -> first.assignedPartitions.get() > 0 && second.assignedPartitions.get() > 0
                    && first.assignedPartitions.get() + second.assignedPartitions.get() == 4);
            h.produceAll(IntStream.range(0, total).mapToObj(i -> ShipperHarness.record("pod-" + (i % 16), "scaled " + i)).toList());

            await().atMost(WAIT).until(() -> receiver.countBy(m -> m.get("short_message").asText()).size() == total
                    && first.delivered.get() + second.delivered.get() >= total);
            assertThat(first.delivered.get()).as("records shipped by the first instance").isPositive();
            assertThat(second.delivered.get()).as("records shipped by the second instance").isPositive();
            Map<String, Long> counts = receiver.countBy(m -> m.get("short_message").asText());
            assertThat(counts).hasSize(total);
        }
    }
}
