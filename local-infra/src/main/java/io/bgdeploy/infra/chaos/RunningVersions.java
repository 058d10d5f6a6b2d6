package io.bgdeploy.infra.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pods of one chaos run that are alive, found by the {@code CHAOS_RUN} variable their
 * descriptor sets, whoever their parent is now (a killed deployer leaves its pods to init).
 */
final class RunningVersions {

    /** A live pod process: its pid, app and version. */
    record Pod(long pid, String app, String version) {
    }

    private RunningVersions() {
    }

    /** Every live pod of {@code runId}, from {@code /proc/<pid>/environ}. */
    static List<Pod> pods(String runId) {
        List<Pod> pods = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
                    long pid = Long.parseLong(proc.getFileName().toString());
                    pod(environ, runId).ifPresent(p -> pods.add(new Pod(pid, p.app(), p.version())));
                } catch (IOException | SecurityException gone) {
                    // ended meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return pods;
    }

    /** Per app, the versions with a live pod. */
    static Map<String, Set<String>> byApp(List<Pod> pods) {
        Map<String, Set<String>> versions = new TreeMap<>();
        pods.forEach(p -> versions.computeIfAbsent(p.app(), a -> new TreeSet<>()).add(p.version()));
        return versions;
    }

    /** The app and version of a process environment (NUL-separated), if it is a pod of {@code runId}. */
    static Optional<Pod> pod(String environ, String runId) {
        String app = null;
        String version = null;
        boolean ours = false;
        for (String variable : environ.split("\0")) {
            if (variable.equals("CHAOS_RUN=" + runId)) {
                ours = true;
            } else if (variable.startsWith("APP_NAME=")) {
                app = variable.substring("APP_NAME=".length());
            } else if (variable.startsWith("APP_VERSION=")) {
                version = variable.substring("APP_VERSION=".length());
            }
        }
        return ours && app != null && version != null ? Optional.of(new Pod(0, app, version)) : Optional.empty();
    }
}
