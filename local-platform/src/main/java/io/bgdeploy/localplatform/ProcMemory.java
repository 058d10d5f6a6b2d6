package io.bgdeploy.localplatform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of process trees, read from Linux's {@code /proc}: {@code VmRSS} of
 * {@code /proc/<pid>/status} summed over a process and its descendants. Memory shared between
 * processes of one tree is counted once per process, so the sum can exceed what a cgroup would
 * charge; it never undercounts.
 */
final class ProcMemory {

    private static final Path PROC = Path.of("/proc");

    private ProcMemory() {
    }

    /** Whether this machine has a Linux {@code /proc} to read. */
    static boolean available() {
        return Files.isReadable(PROC.resolve("self").resolve("status"));
    }

    /**
     * Bytes resident in the process and its descendants; 0 once the process is gone. The JDK finds
     * the descendants in one native pass over {@code /proc} (and skips a pid reused by a process
     * that started before its supposed parent), so only the tree's own {@code status} files are read.
     */
    static long treeRss(ProcessHandle process) {
        return rssBytes(process.pid()) + process.descendants().mapToLong(d -> rssBytes(d.pid())).sum();
    }

    static long rssBytes(long pid) {
        try {
            return vmRssBytes(Files.readString(PROC.resolve(Long.toString(pid)).resolve("status")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** {@code VmRSS} in bytes from the text of {@code /proc/<pid>/status}; 0 when absent (a kernel thread, a zombie). */
    static long vmRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return 0;
    }
}
