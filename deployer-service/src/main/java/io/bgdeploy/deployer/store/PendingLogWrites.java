package io.bgdeploy.deployer.store;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The deployment log lines sent to etcd and not confirmed yet. A line is written without waiting
 * for etcd (a deployment writes a few dozen, each an fsync on etcd's side: in series they cost
 * seconds on a loaded machine), at most {@link #MAX_IN_FLIGHT} at a time; whoever reads a log
 * first waits for the lines this process wrote to it, so a reader never misses one. A line etcd
 * does not take is reported in the deployer's log (where every line is written too).
 */
final class PendingLogWrites {

    private static final Logger LOG = Logger.getLogger(PendingLogWrites.class);
    static final int MAX_IN_FLIGHT = 256;

    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    /** Each write in flight and the log (its key prefix) it goes to. */
    private final Map<CompletableFuture<?>, String> inFlight = new ConcurrentHashMap<>();
    private final Duration timeout;

    PendingLogWrites(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Starts the write of one line of the log {@code log}; waits only while {@link #MAX_IN_FLIGHT}
     * writes are in flight.
     *
     * @throws EtcdStore.StoreException when no write finished within the timeout to make room for this one
     */
    void start(String log, Supplier<CompletableFuture<?>> write) {
        try {
            if (!slots.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new EtcdStore.StoreException("etcd did not confirm any of " + MAX_IN_FLIGHT + " log lines within "
                        + timeout.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdStore.StoreException("interrupted while waiting to write a log line to etcd", e);
        }
        CompletableFuture<?> f;
        try {
            f = write.get();
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
        inFlight.put(f, log);
        f.whenComplete((ok, failed) -> {
            inFlight.remove(f);
            slots.release();
            if (failed != null) {
                LOG.warnf("a line of the log %s was not stored in etcd (the deployer's log has it): %s", log,
                        failed.getMessage());
            }
        });
    }

    /** Waits until etcd answered every line written to the log {@code log} so far (or the timeout passed). */
    void awaitLog(String log) {
        awaitAll(inFlight.entrySet().stream().filter(e -> e.getValue().equals(log)).map(Map.Entry::getKey).toList());
    }

    /** Waits until etcd answered every line written so far (or the timeout passed). */
    void awaitAll() {
        awaitAll(List.copyOf(inFlight.keySet()));
    }

    private void awaitAll(List<CompletableFuture<?>> writes) {
        if (writes.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a failed line is reported where it failed; a late one is read once etcd has it
        }
    }
}
