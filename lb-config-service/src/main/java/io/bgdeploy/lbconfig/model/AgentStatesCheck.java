package io.bgdeploy.lbconfig.model;

import io.bgdeploy.lb.etcd.EtcdAccess.AgentStates;

/**
 * Whether a whole read of the agents' keys shows that the watch keeping them in memory missed
 * something, so that the read must replace what the watch holds (and a new watch start from it).
 * A watch that runs is left alone: starting another one costs a round trip during which a report
 * waits, and the read is there only to find a watch gone silent (after an etcd restart) or etcd
 * gone back in time (restored from a backup). Pure: decided on the two states alone.
 */
public final class AgentStatesCheck {

    private AgentStatesCheck() {
    }

    /**
     * @param watchedBeforeRead the revision the watch had delivered when the read was sent
     * @param watched           what the watch holds now that the read is back
     * @param read              the whole read, linearizable: it saw every revision written before it was sent
     */
    public static boolean watchMissedSomething(long watchedBeforeRead, AgentStates watched, AgentStates read) {
        if (read.revision() < watchedBeforeRead) {
            // a read sent after the watch delivered a revision is older than that revision: etcd
            // went back in time, and what the watch holds was written before the restore
            return true;
        }
        if (watched.revision() > read.revision()) {
            // the watch delivered what was written after the read: it runs
            return false;
        }
        return !(watched.agents().equals(read.agents()) && watched.progress().equals(read.progress())
                && watched.expected().equals(read.expected()));
    }
}
