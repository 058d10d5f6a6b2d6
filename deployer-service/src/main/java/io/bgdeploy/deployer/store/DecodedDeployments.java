package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.Deployment;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deployments a store decoded, each with the digest of the record it came from, so that listing
 * an app reads from etcd only what changed since. Every save writes a deployment and, in the same
 * transaction, its entry in the app's index with the record's {@link #digest}: an index entry whose
 * digest matches the one remembered here stands for exactly the deployment remembered, whichever
 * instance wrote it.
 *
 * <p>The digest, not the write's revision: etcd restored from a backup goes back to the backup's
 * revision and writes the revisions after it anew, so a record written again after a restore can
 * carry a revision remembered here from another write before the restore. Bounded: past
 * {@code capacity} entries it starts again empty, and listings read everything once more.
 */
final class DecodedDeployments {

    /** A deployment as read, with its record's digest and the revision that created its key (accept order). */
    record Decoded(String digest, long createRevision, Deployment deployment) {
    }

    private final Map<String, Decoded> byId = new ConcurrentHashMap<>();
    private final int capacity;

    DecodedDeployments(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** What a deployment's index entry holds: the first 128 bits of the SHA-256 of its record, in Base64. */
    static String digest(byte[] record) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(record);
            return Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The deployment remembered for that id if it was read from a record of that digest. */
    Optional<Decoded> at(String id, String digest) {
        Decoded d = byId.get(id);
        return d != null && d.digest().equals(digest) ? Optional.of(d) : Optional.empty();
    }

    void remember(String id, Decoded decoded) {
        if (byId.size() >= capacity && !byId.containsKey(id)) {
            byId.clear();
        }
        byId.put(id, decoded);
    }

    void forget(String id) {
        byId.remove(id);
    }

    int size() {
        return byId.size();
    }
}
