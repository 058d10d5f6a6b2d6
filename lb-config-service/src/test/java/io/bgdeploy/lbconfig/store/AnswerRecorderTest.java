package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdUnavailableException;
import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Recording that a command was answered, off the path of the next command, with a stand-in for etcd. */
class AnswerRecorderTest {

    private static CommandOutcome outcome(String commandId) {
        return new CommandOutcome(commandId, Outcome.APPLIED, 42, null, false, Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void aCommandIsKnownAsAnsweredFromTheMomentItsAnswerIsRecordedUntilEtcdHoldsIt() throws Exception {
        CountDownLatch etcdAnswers = new CountDownLatch(1);
        List<CommandOutcome> written = new CopyOnWriteArrayList<>();
        try (AnswerRecorder recorder = new AnswerRecorder(o -> {
            waitFor(etcdAnswers);
            written.add(o);
        }, Duration.ofSeconds(5))) {
            CompletableFuture<Void> recorded = recorder.record(outcome("c-1"));

            assertThat(recorder.answered("c-1")).isTrue();
            assertThat(recorder.answered("c-2")).isFalse();
            assertThat(recorded).isNotDone();

            etcdAnswers.countDown();
            recorded.get(5, TimeUnit.SECONDS);

            assertThat(written).extracting(CommandOutcome::commandId).containsExactly("c-1");
            assertThat(recorder.answered("c-1")).isFalse();
        }
    }

    @Test
    void recordsAreWrittenInTheOrderTheAnswersWereSent() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        try (AnswerRecorder recorder = new AnswerRecorder(o -> written.add(o.commandId()), Duration.ofSeconds(5))) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[50];
            for (int i = 0; i < all.length; i++) {
                all[i] = recorder.record(outcome("c-" + i));
            }
            CompletableFuture.allOf(all).get(5, TimeUnit.SECONDS);

            assertThat(written).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "c-" + i).toList());
        }
    }

    @Test
    void aRecordIsWrittenAgainWhileEtcdDoesNotAnswerAndTheCommandStaysKnownAsAnsweredMeanwhile() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (AnswerRecorder recorder = new AnswerRecorder(o -> {
            if (attempts.incrementAndGet() < 3) {
                throw new EtcdUnavailableException("etcd away", null);
            }
        }, Duration.ofSeconds(5))) {
            CompletableFuture<Void> recorded = recorder.record(outcome("c-1"));
            assertThat(recorder.answered("c-1")).isTrue();

            recorded.get(10, TimeUnit.SECONDS);

            assertThat(attempts).hasValue(3);
            assertThat(recorder.answered("c-1")).isFalse();
        }
    }

    @Test
    void closingWritesTheRecordsStillToWrite() {
        List<String> written = new CopyOnWriteArrayList<>();
        CountDownLatch etcdAnswers = new CountDownLatch(1);
        AnswerRecorder recorder = new AnswerRecorder(o -> {
            waitFor(etcdAnswers);
            written.add(o.commandId());
        }, Duration.ofSeconds(5));
        recorder.record(outcome("c-1"));
        recorder.record(outcome("c-2"));
        etcdAnswers.countDown();

        recorder.close();

        assertThat(written).containsExactly("c-1", "c-2");
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let etcd answer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
