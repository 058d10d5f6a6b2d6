package io.bgdeploy.lbagent.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master's {@code show proc}: how many reloads it did, how many failed, and the pids of the
 * current workers. A reload is confirmed when the reload count went up, the failure count did not,
 * and a worker that was not there before is now the current one.
 */
public record ProcStatus(long masterPid, int reloads, int failedReloads, List<Long> workers) {

    private static final Pattern MASTER = Pattern.compile("^(\\d+)\\s+master\\s+(\\d+)(?:\\s+\\[failed:\\s*(\\d+)\\])?",
            Pattern.MULTILINE);
    private static final Pattern WORKER = Pattern.compile("^(\\d+)\\s+worker\\s");

    public ProcStatus {
        workers = List.copyOf(workers);
    }

    public static ProcStatus parse(String showProc) {
        Matcher m = MASTER.matcher(showProc);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer to 'show proc': " + showProc.strip());
        }
        int reloads = Integer.parseInt(m.group(2));
        int failed = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        List<Long> workers = new ArrayList<>();
        String section = "";
        for (String line : showProc.split("\n")) {
            if (line.startsWith("#")) {
                section = line.trim();
                continue;
            }
            Matcher w = WORKER.matcher(line);
            if (section.equals("# workers") && w.find()) {
                workers.add(Long.parseLong(w.group(1)));
            }
        }
        return new ProcStatus(Long.parseLong(m.group(1)), reloads, failed, workers);
    }

    /** True when this status shows the reload that followed {@code before} succeeded. */
    public boolean confirmsReloadAfter(ProcStatus before) {
        return reloads > before.reloads && failedReloads == before.failedReloads && !workers.isEmpty()
                && workers.stream().noneMatch(before.workers::contains);
    }

    /** True when this status shows the reload that followed {@code before} failed. */
    public boolean showsFailedReloadAfter(ProcStatus before) {
        return failedReloads > before.failedReloads;
    }
}
