package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.AcceptLocks;
import io.bgdeploy.deployer.model.AppLocks;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.RunLocks;
import io.bgdeploy.events.Keys;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An app's locks ({@link EtcdAppLocks}) taken in the transaction that also reads the app's index
 * ({@link EtcdStore}): the accept lock ({@link AcceptLocks}) in two transactions where separate
 * locks and store take four round trips (the one that writes the accepted deployment also deletes
 * the lock), the run lock ({@link RunLocks}) in one where they take two. The keys and what they
 * hold are those of the lock and the store, so instances that take a lock and list, save and
 * release one after the other (an older version during a rolling upgrade) exclude these and are
 * excluded by them alike.
 */
public final class EtcdHistoryLocks implements AcceptLocks, RunLocks {

    private final EtcdAppLocks locks;
    private final EtcdStore store;

    public EtcdHistoryLocks(EtcdAppLocks locks, EtcdStore store) {
        this.locks = locks;
        this.store = store;
    }

    @Override
    public Optional<Accepting> take(String namespace, String appName, Duration timeout) throws InterruptedException {
        Optional<EtcdAppLocks.Taken> taken = locks.lockReading(AppLocks.acceptLock(Keys.app(namespace, appName)), timeout,
                store.appIndexRead(namespace, appName));
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EtcdAccepting(taken.get().held(), historyUnder(taken.get(), namespace, appName)));
    }

    @Override
    public Optional<Running> tryTake(String namespace, String appName) {
        Optional<EtcdAppLocks.Taken> taken = locks.tryLockReading(AppLocks.runLock(Keys.app(namespace, appName)),
                store.appIndexRead(namespace, appName));
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RunLocks.running(taken.get().held(), historyUnder(taken.get(), namespace, appName)));
    }

    /**
     * The app's history from the index read in the lock's transaction: records changed since this
     * store last read them are read now, under the lock.
     */
    private List<Deployment> historyUnder(EtcdAppLocks.Taken taken, String namespace, String appName) {
        return AppLocks.readUnder(taken.held(), () -> store.history(namespace, appName, taken.reads().get(0).getKvs()));
    }

    @Override
    public String owner() {
        return locks.owner();
    }

    private final class EtcdAccepting implements Accepting {
        private final AppLocks.Held held;
        private final List<Deployment> history;

        private EtcdAccepting(AppLocks.Held held, List<Deployment> history) {
            this.held = held;
            this.history = history;
        }

        @Override
        public List<Deployment> history() {
            return history;
        }

        @Override
        public void record(Deployment accepted) {
            EtcdStore.Encoded encoded = store.encode(accepted);
            store.remember(encoded, locks.releaseWriting(held, encoded.ops()));
        }

        @Override
        public void close() {
            held.close();
        }
    }
}
