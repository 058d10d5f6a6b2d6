package io.bgdeploy.lbconfig.model;

import java.util.List;
import java.util.Map;

/** What a command does to etcd, decided on a snapshot: nothing but a reason, or a set of writes. */
public sealed interface CommandPlan {

    /** The command must not be applied; nothing changes. */
    record Reject(String reason) implements CommandPlan {
    }

    /**
     * Writes applied together in one transaction. Empty puts and deletes: the configuration already
     * is what the command asks for (the command is still answered as applied).
     *
     * @param puts           keys and their JSON values
     * @param deletes        single keys to delete
     * @param deletePrefixes key prefixes to delete (never overlapping a put)
     */
    record Write(Map<String, byte[]> puts, List<String> deletes, List<String> deletePrefixes) implements CommandPlan {
        public Write {
            puts = Map.copyOf(puts);
            deletes = List.copyOf(deletes);
            deletePrefixes = List.copyOf(deletePrefixes);
        }
    }
}
