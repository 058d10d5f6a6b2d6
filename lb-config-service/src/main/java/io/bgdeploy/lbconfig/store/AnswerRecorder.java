package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records in etcd that a command's answer is on lb-events (the {@code answered} flag of its
 * outcome), off the path of the next command: the consumer goes on with the next command while
 * the write is under way, and commits a command's offset only once its record is written.
 *
 * <p>A command seen again before its record is written (the same command sent twice in a row) is
 * known here as answered: {@link #answered(String)} says so from the moment the answer is
 * recorded until etcd holds the flag, so asking this first and etcd after never misses an answer
 * this instance sent. Records are written one at a time, in the order the answers were sent, and
 * written again while etcd does not answer.
 */
public final class AnswerRecorder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AnswerRecorder.class);

    private final Consumer<CommandOutcome> markAnswered;
    private final Duration closeTimeout;
    private final Map<String, CompletableFuture<Void>> unwritten = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lb-answer-recorder");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param markAnswered writes the record ({@link EtcdLbStore#markAnswered}); called again while it
     *                     throws {@link io.bgdeploy.lb.etcd.EtcdUnavailableException}
     * @param closeTimeout how long {@link #close()} waits for records still to write
     */
    public AnswerRecorder(Consumer<CommandOutcome> markAnswered, Duration closeTimeout) {
        this.markAnswered = markAnswered;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Records that the answer to {@code outcome}'s command was sent; completes once etcd holds it
     * (exceptionally when etcd refused it for another reason than being out of reach).
     */
    public CompletableFuture<Void> record(CommandOutcome outcome) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        unwritten.put(outcome.commandId(), written);
        writer.execute(() -> {
            try {
                UntilEtcdAnswers.run(() -> {
                    markAnswered.accept(outcome);
                    return null;
                }, e -> LOG.warnf("command %s: recording that it was answered waits for etcd: %s", outcome.commandId(),
                        e.getMessage()));
                // forgotten here before the caller hears that etcd holds it: asked then, etcd answers
                unwritten.remove(outcome.commandId(), written);
                written.complete(null);
            } catch (RuntimeException e) {
                unwritten.remove(outcome.commandId(), written);
                written.completeExceptionally(e);
            }
        });
        return written;
    }

    /** True while the answer to this command is sent and its record not yet in etcd. */
    public boolean answered(String commandId) {
        return unwritten.containsKey(commandId);
    }

    /** Writes what is still to write, for at most the close timeout. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%d answered command(s) not recorded in etcd: they are answered again if read again",
                        unwritten.size());
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}
