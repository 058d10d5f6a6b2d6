package io.bgdeploy.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link ExitActionsTest} in a JVM of its own: starts a managed {@code sleep}, registers an
 * orderly stop that looks at it a second into the exit, writes the sleep's pid and waits to be
 * signalled.
 */
public final class ExitOrderProbe {

    static final String SLEEPER_PID = "sleeper.pid";
    static final String SEEN = "seen";

    private ExitOrderProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ManagedProcess sleeper = ManagedProcess.start("sleeper", List.of("sleep", "600"), Map.of(), dir, dir.resolve("sleeper.log"));
        ExitActions.atExit(ExitActions.Stage.ORDERLY, "look-at-the-sleeper", () -> {
            try {
                Thread.sleep(1000);
                Files.writeString(dir.resolve(SEEN), "sleeper " + (sleeper.isAlive() ? "alive" : "stopped") + " after 1000 ms");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // written whole, then moved into place: the test reads the pid as soon as the file exists
        Path written = Files.writeString(dir.resolve(SLEEPER_PID + ".tmp"), String.valueOf(sleeper.pid()));
        Files.move(written, dir.resolve(SLEEPER_PID), StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(Long.MAX_VALUE);
    }
}
