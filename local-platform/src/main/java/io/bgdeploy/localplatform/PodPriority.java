package io.bgdeploy.localplatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPU scheduling priority of local containers: their processes run at a niceness that many steps
 * above their supervisor's (through {@code nice}, which adds it and runs the command in its own place,
 * same pid; 19 at most), so that when the workloads saturate the machine the deployer, the load
 * balancer's services, Kafka and etcd still get the CPU when they wake, as a Kubernetes node reserves
 * CPU for its system daemons ({@code system-reserved}) rather than share it equally with its pods.
 * Every thread of a container inherits it, also across restarts and adoption by another supervisor.
 */
final class PodPriority {

    static final int HIGHEST_NICENESS = 19;

    private final List<String> prefix;

    private PodPriority(List<String> prefix) {
        this.prefix = prefix;
    }

    /**
     * @param niceness       added to the supervisor's niceness: 0 (the same priority) to 19
     * @param path           the search path for {@code nice}, as in {@code PATH}
     * @param settingsPrefix where the setting is configured, to name it in an error
     */
    static PodPriority of(int niceness, String path, String settingsPrefix) {
        if (niceness < 0 || niceness > HIGHEST_NICENESS) {
            throw new IllegalArgumentException(settingsPrefix + "pod-niceness " + niceness + " is out of range: give 0 (pods"
                    + " at the deployer's own priority) to " + HIGHEST_NICENESS + " (the lowest)");
        }
        if (niceness == 0) {
            return new PodPriority(List.of());
        }
        Path nice = find("nice", path).orElseThrow(() -> new IllegalArgumentException(settingsPrefix + "pod-niceness "
                + niceness + " needs the nice command (coreutils), which is not on the PATH: install it, or give 0"));
        return new PodPriority(List.of(nice.toString(), "-n", Integer.toString(niceness)));
    }

    private static Optional<Path> find(String command, String path) {
        return Stream.of((path == null ? "" : path).split(java.io.File.pathSeparator)).filter(d -> !d.isBlank())
                .map(d -> Path.of(d, command)).filter(Files::isExecutable).findFirst();
    }

    /** What goes before a container's command line: empty at niceness 0. */
    List<String> commandPrefix() {
        return prefix;
    }
}
