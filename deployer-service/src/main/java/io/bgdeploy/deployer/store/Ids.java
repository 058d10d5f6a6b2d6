package io.bgdeploy.deployer.store;

import java.security.SecureRandom;
import java.time.Instant;

/** Ids of descriptors and deployments: time-ordered, and safe in URLs and etcd keys. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** Base-36 milliseconds and 32 random bits, e.g. {@code mhx2k9q1-3fa9c01e}. */
    public static String newId(Instant now) {
        return Long.toString(now.toEpochMilli(), 36) + "-" + String.format("%08x", RANDOM.nextInt());
    }

    /** Whether a path parameter can be an id (so it can go into an etcd key). */
    public static boolean isId(String s) {
        return s != null && s.matches("[a-z0-9][a-z0-9-]{0,62}");
    }
}
