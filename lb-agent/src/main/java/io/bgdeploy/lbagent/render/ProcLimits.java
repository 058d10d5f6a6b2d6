package io.bgdeploy.lbagent.render;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads, from Linux's {@code /proc/<pid>/limits} and {@code /proc/<pid>/status}, what a child
 * process inherits and HAProxy sizes itself by: the hard open-files limit and the CPUs it may run on.
 */
public final class ProcLimits {

    private static final Pattern OPEN_FILES = Pattern.compile("^Max open files\\s+(\\S+)\\s+(\\S+)\\s+files", Pattern.MULTILINE);
    private static final Pattern CPUS = Pattern.compile("^Cpus_allowed_list:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

    private ProcLimits() {
    }

    /** The hard "Max open files" of a limits file; {@link FileDescriptorBudget#UNLIMITED} for "unlimited". */
    public static long hardOpenFiles(String limits) {
        Matcher m = OPEN_FILES.matcher(limits);
        if (!m.find()) {
            throw new IllegalArgumentException("no 'Max open files' line in the limits");
        }
        return m.group(2).equals("unlimited") ? FileDescriptorBudget.UNLIMITED : Long.parseLong(m.group(2));
    }

    /** How many CPUs the {@code Cpus_allowed_list} of a status file names ("0-3,8,10-11" is 7). */
    public static int allowedCpus(String status) {
        Matcher m = CPUS.matcher(status);
        if (!m.find()) {
            throw new IllegalArgumentException("no 'Cpus_allowed_list' line in the status");
        }
        int count = 0;
        for (String range : m.group(1).split(",")) {
            String[] ends = range.split("-");
            count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return count;
    }
}
