package io.bgdeploy.health.messaging;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends items and never drops one: while every send succeeds, items go out at once, many in
 * flight; after a send fails, the failed item and every item published after it wait in one queue
 * in the order they were published, and are sent one at a time, the head retried after a back-off
 * (doubling from {@code firstBackoff} to {@code maxBackoff}) until it is taken; once the queue is
 * empty, sending is direct again. So a receiver never sees a later transition of a pod before an
 * earlier one that failed. Thread-safe.
 */
public final class OrderedRedelivery<T> {

    /** Told about failures and recoveries, for logs and metrics. */
    public interface Listener<T> {
        void failed(T item, Throwable error, int attempt, Duration nextTry);

        void recovered(int delivered);
    }

    private record Pending<T>(long sequence, T item, int attempts) {
    }

    private final Function<T, CompletionStage<Void>> sender;
    private final ScheduledExecutorService scheduler;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Listener<T> listener;
    private final PriorityQueue<Pending<T>> queue = new PriorityQueue<>(Comparator.comparingLong(Pending::sequence));
    private long sequence;
    private boolean recovering;
    private int deliveredWhileRecovering;
    private Duration backoff;

    public OrderedRedelivery(Function<T, CompletionStage<Void>> sender, ScheduledExecutorService scheduler,
                             Duration firstBackoff, Duration maxBackoff, Listener<T> listener) {
        this.sender = sender;
        this.scheduler = scheduler;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.listener = listener;
        this.backoff = firstBackoff;
    }

    public void submit(T item) {
        Pending<T> p;
        synchronized (this) {
            p = new Pending<>(sequence++, item, 0);
            if (recovering) {
                queue.add(p);
                return;
            }
        }
        sendDirectly(p);
    }

    /** Items not yet taken by the receiver because a send failed (0 while everything flows). */
    public synchronized int waiting() {
        return queue.size();
    }

    private void sendDirectly(Pending<T> p) {
        send(p).whenComplete((ok, error) -> {
            if (error != null) {
                failedDirectly(p, error);
            }
        });
    }

    private void failedDirectly(Pending<T> p, Throwable error) {
        boolean startDrain;
        Duration wait;
        synchronized (this) {
            queue.add(new Pending<>(p.sequence(), p.item(), 1));
            startDrain = !recovering;
            recovering = true;
            wait = backoff;
        }
        listener.failed(p.item(), error, 1, wait);
        if (startDrain) {
            schedule(wait);
        }
    }

    private void drain() {
        Pending<T> head;
        synchronized (this) {
            head = queue.peek();
            if (head == null) {
                recovering = false;
                backoff = firstBackoff;
                int delivered = deliveredWhileRecovering;
                deliveredWhileRecovering = 0;
                listener.recovered(delivered);
                return;
            }
        }
        send(head).whenComplete((ok, error) -> {
            Duration wait = null;
            synchronized (this) {
                queue.remove(head);
                if (error == null) {
                    deliveredWhileRecovering++;
                    backoff = firstBackoff;
                } else {
                    queue.add(new Pending<>(head.sequence(), head.item(), head.attempts() + 1));
                    wait = backoff;
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            }
            if (error == null) {
                drain();
            } else {
                listener.failed(head.item(), error, head.attempts() + 1, wait);
                schedule(wait);
            }
        });
    }

    private CompletionStage<Void> send(Pending<T> p) {
        try {
            return sender.apply(p.item());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void schedule(Duration wait) {
        scheduler.schedule(this::drain, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
