package io.bgdeploy.localplatform;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resident memory of process trees, read from Linux's {@code /proc}: {@code VmRSS} of
 * {@code /proc/<pid>/status} summed over a process and its descendants (found through the parent
 * pid in {@code /proc/<pid>/stat}). Memory shared between processes of one tree is counted once
 * per process, so the sum can exceed what a cgroup would charge; it never undercounts.
 */
final class ProcMemory {

    private static final Path PROC = Path.of("/proc");

    private ProcMemory() {
    }

    /** Whether this machine has a Linux {@code /proc} to read. */
    static boolean available() {
        return Files.isReadable(PROC.resolve("self").resolve("status"));
    }

    /** Which process is whose child, read once per sampling so every tree is walked without rereading. */
    record Snapshot(Map<Long, List<Long>> children) {

        /** Bytes resident in the process and its descendants; 0 once the process is gone. */
        long treeRss(long pid) {
            long total = 0;
            Deque<Long> todo = new ArrayDeque<>(List.of(pid));
            while (!todo.isEmpty()) {
                long p = todo.pop();
                total += rssBytes(p);
                todo.addAll(children.getOrDefault(p, List.of()));
            }
            return total;
        }
    }

    static Snapshot snapshot() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                try {
                    long parent = parentPid(Files.readString(dir.resolve("stat")));
                    children.computeIfAbsent(parent, k -> new ArrayList<>()).add(pid);
                } catch (IOException | RuntimeException gone) {
                    // the process ended while the directory was listed
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + PROC, e);
        }
        return new Snapshot(children);
    }

    static long rssBytes(long pid) {
        try {
            return vmRssBytes(Files.readString(PROC.resolve(Long.toString(pid)).resolve("status")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The parent pid in the text of {@code /proc/<pid>/stat}; the command name may hold spaces and parentheses. */
    static long parentPid(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[1]);
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
