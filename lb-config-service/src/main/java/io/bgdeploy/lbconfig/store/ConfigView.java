package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdAccess.RawRead;

import java.util.List;
import java.util.Optional;

/**
 * The configuration as this instance last saw it, which a command is decided on before it reads
 * etcd. It may be stale: the command's transaction is guarded, and fails if it was.
 */
public interface ConfigView extends AutoCloseable {

    /**
     * The given keys and everything under the given prefixes as of one revision at least
     * {@code atLeast}, with the generation key's mod revision; empty when there is no such view
     * now (the caller reads etcd).
     */
    Optional<RawRead> read(List<String> keys, List<String> prefixes, long atLeast);

    @Override
    default void close() {
    }
}
