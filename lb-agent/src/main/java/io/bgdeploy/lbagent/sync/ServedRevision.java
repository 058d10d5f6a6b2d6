package io.bgdeploy.lbagent.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The etcd revision this agent's HAProxy serves, and the callers waiting for it to reach a
 * revision: lb-config-service hears from here that a command is served as soon as HAProxy serves
 * it, before the agent's report is in etcd.
 */
public final class ServedRevision {

    private record Waiter(long revision, CompletableFuture<Long> answer) {
    }

    private final List<Waiter> waiters = new ArrayList<>();
    private long revision;

    /** HAProxy serves {@code served} now; answers every caller waiting for it or an earlier one. */
    public void advanceTo(long served) {
        List<Waiter> due = new ArrayList<>();
        synchronized (this) {
            if (served <= revision) {
                return;
            }
            revision = served;
            waiters.removeIf(w -> w.revision() <= served && due.add(w));
        }
        due.forEach(w -> w.answer().complete(served));
    }

    public synchronized long current() {
        return revision;
    }

    /**
     * The revision served once it is {@code atLeast}, or whatever is served when {@code max} has
     * passed first (the caller then compares).
     */
    public CompletableFuture<Long> whenAtLeast(long atLeast, Duration max) {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        Waiter waiter = new Waiter(atLeast, answer);
        synchronized (this) {
            if (revision >= atLeast || max.isZero()) {
                return CompletableFuture.completedFuture(revision);
            }
            waiters.add(waiter);
        }
        return answer.completeOnTimeout(-1L, max.toNanos(), TimeUnit.NANOSECONDS).thenApply(served -> {
            if (served >= 0) {
                return served;
            }
            synchronized (this) {
                waiters.remove(waiter);
                return revision;
            }
        });
    }

    /** How many callers wait (bounded by what the HTTP server admits; shown for tests). */
    synchronized int waiting() {
        return waiters.size();
    }
}
