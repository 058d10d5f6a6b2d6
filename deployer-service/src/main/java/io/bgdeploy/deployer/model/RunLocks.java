package io.bgdeploy.deployer.model;

import io.bgdeploy.events.Keys;

import java.util.List;
import java.util.Optional;

/**
 * The lock of the one instance that runs an app's deployments ({@link AppLocks#runLock}), taken
 * with the app's history as it was when it was taken: what runs next is decided on it. A store that
 * can read the history in the transaction that takes the lock (etcd) does, and saves a round trip.
 */
public interface RunLocks {

    /** The app's run lock, held, with the history read under it; closing releases the lock. */
    interface Running extends AppLocks.Held {

        /** The app's deployments in the order they were accepted, as they were when the lock was taken. */
        List<Deployment> history();
    }

    /** Takes the app's run lock if no one holds it. */
    Optional<Running> tryTake(String namespace, String appName);

    /** This instance's name, as the holder of its locks (for logs). */
    String owner();

    /** The same over separate locks and store: the lock, then a listing. */
    static RunLocks over(AppLocks locks, DeploymentStore store) {
        return new RunLocks() {
            @Override
            public Optional<Running> tryTake(String namespace, String appName) {
                Optional<AppLocks.Held> held = locks.tryLock(AppLocks.runLock(Keys.app(namespace, appName)));
                if (held.isEmpty()) {
                    return Optional.empty();
                }
                List<Deployment> history = AppLocks.readUnder(held.get(), () -> store.list(namespace, appName));
                return Optional.of(running(held.get(), history));
            }

            @Override
            public String owner() {
                return locks.owner();
            }
        };
    }

    /** A held lock and the history read under it, as one {@link Running}. */
    static Running running(AppLocks.Held held, List<Deployment> history) {
        return new Running() {
            @Override
            public List<Deployment> history() {
                return history;
            }

            @Override
            public boolean valid() {
                return held.valid();
            }

            @Override
            public void close() {
                held.close();
            }

            @Override
            public String toString() {
                return held.toString();
            }
        };
    }
}
