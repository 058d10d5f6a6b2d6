package io.bgdeploy.deployer.store;

import io.bgdeploy.deployer.model.Deployment;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deployments a store decoded, each with the etcd revision of the write it came from, so that
 * listing an app reads from etcd only what changed since. Every save writes a deployment and its
 * entry in the app's index in one transaction, so both carry that transaction's revision: an index
 * entry whose revision matches the one remembered here stands for exactly the deployment remembered,
 * whichever instance wrote it. Bounded: past {@code capacity} entries it starts again empty, and
 * listings read everything once more.
 */
final class DecodedDeployments {

    /** A deployment as read, with its key's revisions: the last write's and the creating one's (accept order). */
    record Decoded(long modRevision, long createRevision, Deployment deployment) {
    }

    private final Map<String, Decoded> byId = new ConcurrentHashMap<>();
    private final int capacity;

    DecodedDeployments(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** The deployment remembered for that id if it was read from the write of that revision. */
    Optional<Decoded> at(String id, long modRevision) {
        Decoded d = byId.get(id);
        return d != null && d.modRevision() == modRevision ? Optional.of(d) : Optional.empty();
    }

    void remember(String id, Decoded decoded) {
        if (byId.size() >= capacity && !byId.containsKey(id)) {
            byId.clear();
        }
        byId.merge(id, decoded, (old, fresh) -> fresh.modRevision() >= old.modRevision() ? fresh : old);
    }

    void forget(String id) {
        byId.remove(id);
    }

    int size() {
        return byId.size();
    }
}
