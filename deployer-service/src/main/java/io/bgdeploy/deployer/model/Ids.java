package io.bgdeploy.deployer.model;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Ids of descriptors and deployments: unique, safe in URLs and etcd keys, and roughly time-ordered
 * for people reading them. They do not order deployments: two ids of one millisecond (or of two
 * instances whose clocks differ) compare at random; the store lists deployments in the order they
 * were accepted instead.
 */
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
