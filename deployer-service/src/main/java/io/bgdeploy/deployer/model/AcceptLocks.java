package io.bgdeploy.deployer.model;

import io.bgdeploy.events.Keys;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One instance at a time accepts deployments of an app ({@link AppLocks#acceptLock}): it decides on
 * the app's history as it was when it took the lock, and records what it accepted before another
 * instance may decide. Taking the lock comes with the history, and recording comes with letting the
 * lock go, so that a store that can do both in one step (etcd: one transaction each) does.
 */
public interface AcceptLocks {

    /** The app's accept lock, held; closing lets it go without recording anything. */
    interface Accepting extends AutoCloseable {

        /** The app's deployments in the order they were accepted, read under the lock. */
        List<Deployment> history();

        /**
         * Records the accepted deployment and lets the lock go. The record is written even if the
         * lock is no longer this instance's (its lease was lost while deciding): the deployment is
         * accepted either way, as a save after the lock would have been.
         */
        void record(Deployment accepted);

        @Override
        void close();
    }

    /**
     * Takes the app's accept lock with its history, waiting at most {@code timeout} for another
     * instance to let it go.
     *
     * @return empty when the lock stayed taken that long
     */
    Optional<Accepting> take(String namespace, String appName, Duration timeout) throws InterruptedException;

    /** This instance's name, as the holder of its locks (for logs). */
    String owner();

    /**
     * The same over separate locks and store: the lock, then a listing; the save, then the release.
     * Both orders keep the guarantee; a store that can join them saves two round trips.
     */
    static AcceptLocks over(AppLocks locks, DeploymentStore store) {
        return new AcceptLocks() {
            @Override
            public Optional<Accepting> take(String namespace, String appName, Duration timeout) throws InterruptedException {
                Optional<AppLocks.Held> held = locks.lock(AppLocks.acceptLock(Keys.app(namespace, appName)), timeout);
                if (held.isEmpty()) {
                    return Optional.empty();
                }
                List<Deployment> history = AppLocks.readUnder(held.get(), () -> store.list(namespace, appName));
                return Optional.of(new Accepting() {
                    private boolean released;

                    @Override
                    public List<Deployment> history() {
                        return history;
                    }

                    @Override
                    public void record(Deployment accepted) {
                        try {
                            store.save(accepted);
                        } finally {
                            close();
                        }
                    }

                    @Override
                    public void close() {
                        if (!released) {
                            released = true;
                            held.get().close();
                        }
                    }
                });
            }

            @Override
            public String owner() {
                return locks.owner();
            }
        };
    }
}
