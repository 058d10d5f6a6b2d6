package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.AppLocks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Locks shared by the deployers of one test, as etcd shares them between instances: each
 * {@link #instance(String)} is one deployer instance; {@link #expire(String)} frees every lock of
 * an instance as a lease running out would (the instance is not told).
 */
public final class InMemoryLocks {

    private final Map<String, Holder> holders = new HashMap<>();

    /** One taking of a lock (compared by identity: a lock taken again is another holder). */
    private static final class Holder {
        private final String owner;

        private Holder(String owner) {
            this.owner = owner;
        }
    }

    public AppLocks instance(String owner) {
        return new AppLocks() {
            @Override
            public Optional<Held> tryLock(String name) {
                synchronized (InMemoryLocks.this) {
                    if (holders.containsKey(name)) {
                        return Optional.empty();
                    }
                    Holder h = new Holder(owner);
                    holders.put(name, h);
                    return Optional.of(new Held() {
                        @Override
                        public boolean valid() {
                            synchronized (InMemoryLocks.this) {
                                return holders.get(name) == h;
                            }
                        }

                        @Override
                        public void close() {
                            synchronized (InMemoryLocks.this) {
                                holders.remove(name, h);
                                InMemoryLocks.this.notifyAll();
                            }
                        }
                    });
                }
            }

            @Override
            public Optional<Held> lock(String name, Duration timeout) throws InterruptedException {
                long deadline = System.nanoTime() + timeout.toNanos();
                synchronized (InMemoryLocks.this) {
                    while (true) {
                        Optional<Held> held = tryLock(name);
                        long left = deadline - System.nanoTime();
                        if (held.isPresent() || left <= 0) {
                            return held;
                        }
                        InMemoryLocks.this.wait(Math.max(1, left / 1_000_000));
                    }
                }
            }

            @Override
            public String owner() {
                return owner;
            }
        };
    }

    /** Frees every lock the instance holds, as if its lease had expired. */
    public synchronized void expire(String owner) {
        holders.values().removeIf(h -> h.owner.equals(owner));
        notifyAll();
    }

    /** Who holds a lock, if anyone. */
    public synchronized Optional<String> holder(String name) {
        return Optional.ofNullable(holders.get(name)).map(h -> h.owner);
    }
}
