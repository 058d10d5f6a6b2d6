package io.bgdeploy.deployer.messaging;

import io.bgdeploy.events.Topics;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The failure paths of the pod output's producer, against a broker that is not there. */
class ContainerLogPublisherTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ContainerLogPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close();
        }
    }

    private static ContainerLogRecord line(String text) {
        return new ContainerLogRecord(Instant.now(), ContainerLogRecord.STDOUT, text, "default", "shop", "1", "shop-1-a",
                "shop", "local", "d-1");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private double notSent() {
        var counter = registry.find("deployer.events.not.sent").tag("topic", Topics.CONTAINER_LOGS).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aLineTheBrokerNeverTookFailsItsStageAndCountsAsNotSentWhileTheCallerIsNotHeldUp() throws Exception {
        publisher = new ContainerLogPublisher(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort()),
                new DeploymentMetrics(registry));

        long start = System.nanoTime();
        CompletableFuture<Void> first = publisher.publish(line("one"));
        CompletableFuture<Void> second = publisher.publish(line("two"));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("handing lines over does not wait for the broker's metadata").isLessThan(Duration.ofSeconds(2));

        await().atMost(Duration.ofSeconds(40)).until(() -> first.isDone() && second.isDone());
        assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(second).isCompletedExceptionally();
        assertThat(notSent()).isEqualTo(2);
    }

    @Test
    void aLineHandedOverAfterCloseFailsAtOnce() throws Exception {
        publisher = new ContainerLogPublisher(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort()),
                new DeploymentMetrics(registry));
        publisher.close();

        CompletableFuture<Void> late = publisher.publish(line("late"));
        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::get).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
