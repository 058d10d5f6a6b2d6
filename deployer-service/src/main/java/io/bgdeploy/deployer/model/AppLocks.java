package io.bgdeploy.deployer.model;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Named locks shared by every deployer instance: one instance at a time accepts deployments of an
 * app, and one runs them. A lock held by an instance that stops (or loses its connection to the
 * shared store) is freed after a while, so that another instance can take over.
 */
public interface AppLocks {

    /** A lock this instance holds; closing releases it. */
    interface Held extends AutoCloseable {

        /** False once the lock may have passed to another instance (its lease was lost). */
        boolean valid();

        @Override
        void close();
    }

    /** Takes the lock if no one holds it. */
    Optional<Held> tryLock(String name);

    /** Takes the lock, waiting at most {@code timeout} for its holder to release it. */
    Optional<Held> lock(String name, Duration timeout) throws InterruptedException;

    /** This instance's name, as the holder of its locks (for logs). */
    String owner();

    /**
     * Reads what is decided under a lock just taken; lets the lock go when the read fails, so that
     * a failed read leaves no lock behind for its lease to free.
     */
    static <T> T readUnder(Held held, Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /** The lock that lets one instance run an app's deployments. */
    static String runLock(String appKey) {
        return "run/" + appKey;
    }

    /** The lock held while a deployment of an app is accepted (version resolved, duplicates refused). */
    static String acceptLock(String appKey) {
        return "accept/" + appKey;
    }
}
