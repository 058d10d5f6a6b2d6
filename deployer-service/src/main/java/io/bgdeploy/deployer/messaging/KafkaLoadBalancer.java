package io.bgdeploy.deployer.messaging;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends commands on lb-commands and matches the answers from lb-events by {@code commandId}.
 * Answers seen before anyone waits (a command sent again after a restart) are remembered, so the
 * same command id is answered at once.
 */
public final class KafkaLoadBalancer implements LoadBalancer {

    private static final int REMEMBERED = 10_000;

    private final EventSink sink;
    private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    private final Map<String, Answer> answered = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > REMEMBERED;
        }
    };

    public KafkaLoadBalancer(EventSink sink) {
        this.sink = sink;
    }

    @Override
    public Answer apply(LbCommand command, Duration timeout) throws InterruptedException {
        CompletableFuture<Answer> future = new CompletableFuture<>();
        synchronized (answered) {
            Answer known = answered.get(command.commandId());
            if (known != null) {
                return known;
            }
            pending.put(command.commandId(), future);
        }
        try {
            sink.publish(command);
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (EventSink.NotPublished e) {
            return new Answer(Outcome.NOT_SENT, e.getMessage());
        } catch (TimeoutException e) {
            return new Answer(Outcome.TIMED_OUT, "no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Answer(Outcome.REJECTED, String.valueOf(e.getCause()));
        } finally {
            pending.remove(command.commandId());
        }
    }

    public void onApplied(LbCommandApplied applied) {
        answer(applied.commandId(), new Answer(Outcome.APPLIED, null));
    }

    public void onRejected(LbCommandRejected rejected) {
        answer(rejected.commandId(), new Answer(Outcome.REJECTED, rejected.reason()));
    }

    private void answer(String commandId, Answer answer) {
        synchronized (answered) {
            answered.put(commandId, answer);
            CompletableFuture<Answer> f = pending.get(commandId);
            if (f != null) {
                f.complete(answer);
            }
        }
    }
}
