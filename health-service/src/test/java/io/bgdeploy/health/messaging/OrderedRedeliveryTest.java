package io.bgdeploy.health.messaging;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Not a @QuarkusTest: a receiver that refuses sends while it is "down" stands in for Kafka. */
class OrderedRedeliveryTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> taken = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger recoveries = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Takes an item unless down; answers on another thread, as a Kafka producer does. */
    private CompletionStage<Void> receive(String item) {
        return CompletableFuture.runAsync(() -> {
            if (down.get()) {
                throw new IllegalStateException("broker unreachable");
            }
            taken.add(item);
        });
    }

    private OrderedRedelivery<String> redelivery() {
        return new OrderedRedelivery<>(this::receive, scheduler, Duration.ofMillis(20), Duration.ofMillis(80),
                new OrderedRedelivery.Listener<>() {
                    @Override
                    public void failed(String item, Throwable error, int attempt, Duration nextTry) {
                        failures.add(item + "#" + attempt);
                    }

                    @Override
                    public void recovered(int delivered) {
                        recoveries.incrementAndGet();
                    }
                });
    }

    @Test
    void whileTheReceiverTakesEverythingItemsGoOutDirectly() {
        OrderedRedelivery<String> r = redelivery();
        for (int i = 0; i < 100; i++) {
            r.submit("e" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.size() == 100);
        assertThat(failures).isEmpty();
        assertThat(r.waiting()).isZero();
    }

    @Test
    void aFailedItemAndEverythingAfterItArriveOnceInPublishingOrderWhenTheReceiverIsBack() {
        OrderedRedelivery<String> r = redelivery();
        r.submit("ready");
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.contains("ready"));

        down.set(true);
        r.submit("unhealthy");
        await().atMost(Duration.ofSeconds(10)).until(() -> failures.size() >= 3);
        r.submit("recovered");
        r.submit("gone");
        assertThat(r.waiting()).as("held while the receiver is down").isEqualTo(3);
        assertThat(taken).containsExactly("ready");

        down.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.size() == 4);
        assertThat(taken).containsExactly("ready", "unhealthy", "recovered", "gone");
        assertThat(failures).allMatch(f -> f.startsWith("unhealthy#"));
        assertThat(r.waiting()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> recoveries.get() == 1);

        r.submit("ready-again");
        await().atMost(Duration.ofSeconds(10)).until(() -> taken.contains("ready-again"));
        assertThat(r.waiting()).isZero();
    }
}
