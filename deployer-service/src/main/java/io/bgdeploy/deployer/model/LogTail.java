package io.bgdeploy.deployer.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one follower of a deployment's log has not been sent yet. Each read of the log gives every
 * line readable now; a line whose write was confirmed late shows up between lines already sent, so
 * the tail remembers keys, not a count: each line is handed out once, none is skipped.
 */
public final class LogTail {

    private final Set<String> sent = new HashSet<>();

    /** The lines of {@code readNow} not handed out before, in key order; they count as sent from now on. */
    public List<LogLine> unsent(List<LogLine> readNow) {
        List<LogLine> fresh = new ArrayList<>();
        for (LogLine line : readNow) {
            if (sent.add(line.key())) {
                fresh.add(line);
            }
        }
        fresh.sort(null);
        return fresh;
    }
}
