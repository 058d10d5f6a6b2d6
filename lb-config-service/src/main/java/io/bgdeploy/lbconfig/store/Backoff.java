package io.bgdeploy.lbconfig.store;

import java.util.concurrent.TimeUnit;

/** Waits between attempts that double from 0.1 s up to 5 s. */
public final class Backoff {

    private long millis = 100;

    /** How long the next {@link #pause()} waits. */
    public long nextMillis() {
        return millis;
    }

    /** Waits, then doubles the next wait; false when interrupted (the thread's interrupt flag is set again). */
    public boolean pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        millis = Math.min(5000, millis * 2);
        return true;
    }
}
