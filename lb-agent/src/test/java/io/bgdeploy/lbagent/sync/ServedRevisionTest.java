package io.bgdeploy.lbagent.sync;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ServedRevisionTest {

    private final ServedRevision served = new ServedRevision();

    @Test
    void aCallerWaitingForARevisionIsAnsweredWhenItIsServedNotBefore() {
        served.advanceTo(40);
        CompletableFuture<Long> answer = served.whenAtLeast(42, Duration.ofSeconds(30));
        served.advanceTo(41);
        assertThat(answer).isNotDone();

        served.advanceTo(43);
        assertThat(answer).isCompletedWithValue(43L);
        assertThat(served.waiting()).isZero();
    }

    @Test
    void aRevisionServedAlreadyIsAnsweredAtOnceAndTheRevisionNeverGoesBack() {
        served.advanceTo(50);
        served.advanceTo(45);
        assertThat(served.current()).isEqualTo(50);
        assertThat(served.whenAtLeast(42, Duration.ofSeconds(30))).isCompletedWithValue(50L);
        assertThat(served.whenAtLeast(60, Duration.ZERO)).as("no wait asked for: what is served now").isCompletedWithValue(50L);
    }

    @Test
    void aCallerWhoseWaitEndsGetsWhatIsServedThenAndIsForgotten() {
        served.advanceTo(7);
        CompletableFuture<Long> answer = served.whenAtLeast(42, Duration.ofMillis(50));
        assertThat(answer.join()).isEqualTo(7L);
        assertThat(served.waiting()).isZero();
    }
}
