package io.bgdeploy.deployer.intake;

import java.util.Locale;

/** What to do with a deployment of an app that already has one in progress: queue it behind, or refuse it. */
public enum LockMode {
    QUEUE, REFUSE;

    /** The mode that {@code deployer.lock-mode} names. */
    public static LockMode of(String configured) {
        try {
            return valueOf(configured.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deployer.lock-mode '" + configured + "' is unknown: use queue or refuse", e);
        }
    }
}
