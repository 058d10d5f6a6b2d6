package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.receiver.GelfHttpReceiver;
import io.bgdeploy.logshipper.receiver.GelfReceiver;
import io.bgdeploy.logshipper.receiver.GelfTcpReceiver;
import io.bgdeploy.logshipper.receiver.VanishingPeer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Graylog vanishes in the middle of a stream: the peer keeps accepting bytes and delivers none of
 * them (a crashed host behind a load balancer, an input that stopped processing), then resets every
 * connection and comes back. What each transport can prove decides what arrives: GELF HTTP waits
 * for 202 and loses nothing; GELF TCP has no acknowledgement and loses what it wrote into the void.
 */
class VanishingGraylogIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int TOTAL = 3000;

    /** What a run measured. */
    private record Outcome(int sent, int distinctReceived, long duplicates, long swallowedBytes, long resent) {
        int lost() {
            return sent - distinctReceived;
        }
    }

    private static Outcome vanishInTheMiddle(GelfReceiver receiver, String scheme) throws Exception {
        try (receiver; ShipperHarness h = new ShipperHarness(); VanishingPeer peer = new VanishingPeer(receiver.port())) {
            String url = scheme.equals("http") ? "http://127.0.0.1:" + peer.port() + "/gelf" : "tcp://127.0.0.1:" + peer.port();
            h.start(url, 500, 100);
            Thread producer = new Thread(() -> IntStream.range(0, TOTAL).forEach(i -> h.produce(ShipperHarness.record("stream " + i))));
            producer.start();
            await().atMost(WAIT).until(() -> receiver.messages().size() >= 500);

            peer.vanish();
            long sentBefore = h.stats.sent.get();
            if (scheme.equals("tcp")) {
                // the shipper vouches for lines the receiver never got: written into the void, connection open
                await().atMost(WAIT).until(() -> h.stats.delivered.get() > receiver.messages().size() + 100);
            } else {
                await().atMost(WAIT).until(() -> peer.swallowedBytes() > 0 && h.stats.sent.get() > sentBefore + 200);
            }
            peer.reset();
            peer.forward();

            producer.join(120_000);
            await().atMost(WAIT).until(() -> h.stats.delivered.get() >= TOTAL);
            Map<String, Long> counts = receiver.countBy(m -> m.get("short_message").asText());
            long duplicates = counts.values().stream().mapToLong(c -> c - 1).sum();
            Outcome outcome = new Outcome(TOTAL, counts.size(), duplicates, peer.swallowedBytes(), h.stats.resent.get());
            System.out.printf("%s, peer vanished mid-stream: %d sent, %d distinct received, %d lost, %d duplicates, "
                    + "%d bytes swallowed by the vanished peer, %d messages resent%n", scheme, outcome.sent(),
                    outcome.distinctReceived(), outcome.lost(), outcome.duplicates(), outcome.swallowedBytes(), outcome.resent());
            assertThat(receiver.rejections()).isEmpty();
            return outcome;
        }
    }

    @Test
    void overHttpNothingIsLostWhenGraylogVanishesAndDuplicatesAreCounted() throws Exception {
        GelfHttpReceiver receiver = new GelfHttpReceiver();
        receiver.start();
        Outcome outcome = vanishInTheMiddle(receiver, "http");
        assertThat(outcome.lost()).as("lines lost over HTTP").isZero();
        assertThat(outcome.resent()).as("what the vanished peer swallowed was sent again").isPositive();
    }

    /**
     * The documented behaviour of GELF TCP: the vanished peer took the bytes, the connection stayed
     * open past the confirm delay, so the shipper counted those lines as delivered. They are lost.
     */
    @Test
    void overTcpTheLinesWrittenIntoTheVanishedPeerAreLost() throws Exception {
        GelfTcpReceiver receiver = new GelfTcpReceiver();
        receiver.start();
        Outcome outcome = vanishInTheMiddle(receiver, "tcp");
        assertThat(outcome.lost()).as("lines lost over TCP (what the vanished peer swallowed)").isPositive();
        assertThat(outcome.distinctReceived()).as("lines after the peer came back arrive").isGreaterThan(500);
    }
}
