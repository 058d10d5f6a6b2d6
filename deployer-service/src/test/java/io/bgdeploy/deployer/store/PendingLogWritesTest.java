package io.bgdeploy.deployer.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PendingLogWritesTest {

    @Test
    void aLineIsStartedWithoutWaitingAndItsLogIsReadOnlyOnceEtcdAnsweredIt() {
        PendingLogWrites writes = new PendingLogWrites(Duration.ofSeconds(10));
        CompletableFuture<Void> lineOfA = new CompletableFuture<>();
        CompletableFuture<Void> lineOfB = new CompletableFuture<>();
        writes.start("logs/a", () -> lineOfA); // returns although etcd has not answered
        writes.start("logs/b", () -> lineOfB);

        writes.awaitLog("logs/c"); // no line in flight for that log: returns at once

        AtomicBoolean readA = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            writes.awaitLog("logs/a");
            readA.set(true);
        });
        reader.start();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilFalse(readA);
        lineOfA.complete(null);
        await().atMost(Duration.ofSeconds(5)).untilTrue(readA); // b's line still in flight: not waited for
        assertThat(lineOfB).isNotDone();
    }

    @Test
    void atMostMaxInFlightLinesAreUnansweredAndAFailedOneFreesItsPlace() {
        PendingLogWrites writes = new PendingLogWrites(Duration.ofMillis(300));
        CompletableFuture<Void> first = new CompletableFuture<>();
        writes.start("logs/a", () -> first);
        for (int i = 1; i < PendingLogWrites.MAX_IN_FLIGHT; i++) {
            writes.start("logs/a", CompletableFuture::new);
        }

        assertThatThrownBy(() -> writes.start("logs/a", CompletableFuture::new))
                .isInstanceOf(EtcdStore.StoreException.class)
                .hasMessageContaining("etcd did not confirm any of " + PendingLogWrites.MAX_IN_FLIGHT + " log lines");

        first.completeExceptionally(new IllegalStateException("etcd stopped"));
        CompletableFuture<Void> next = CompletableFuture.completedFuture(null);
        writes.start("logs/a", () -> next); // the failed line's place is free again
        assertThat(next).isDone();
    }
}
