package io.bgdeploy.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The JVM's exit runs an orderly stop before the processes' safety nets, and those before the cleanup. */
class ExitActionsTest {

    @Test
    void stagesRunInOrderAndTheActionsOfAStageAtTheSameTime() {
        ExitActions exit = new ExitActions();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bothProcesses = new CountDownLatch(2);
        exit.add(ExitActions.Stage.CLEANUP, "cleanup", () -> ran.add("cleanup"));
        for (String name : List.of("process-1", "process-2")) {
            exit.add(ExitActions.Stage.PROCESSES, name, () -> {
                bothProcesses.countDown();
                // each waits for the other: only actions that run at the same time both get past this
                ran.add(name + (bothStarted(bothProcesses) ? " with the other" : " alone"));
            });
        }
        exit.add(ExitActions.Stage.ORDERLY, "orderly", () -> ran.add("orderly"));

        exit.runAll();

        assertThat(ran).hasSize(4);
        assertThat(ran.get(0)).isEqualTo("orderly");
        assertThat(ran.subList(1, 3)).containsExactlyInAnyOrder("process-1 with the other", "process-2 with the other");
        assertThat(ran.get(3)).isEqualTo("cleanup");
    }

    @Test
    void aCancelledActionDoesNotRunAndAFailingOneDoesNotStopTheOthers() {
        ExitActions exit = new ExitActions();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        exit.add(ExitActions.Stage.PROCESSES, "cancelled", () -> ran.add("cancelled")).cancel();
        exit.add(ExitActions.Stage.PROCESSES, "failing", () -> {
            throw new IllegalStateException("boom");
        });
        exit.add(ExitActions.Stage.CLEANUP, "after", () -> ran.add("after"));

        exit.runAll();

        assertThat(ran).containsExactly("after");
        assertThatThrownBy(() -> exit.add(ExitActions.Stage.CLEANUP, "late", () -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exiting");
    }

    /**
     * A JVM that registered an orderly stop and started a managed process gets SIGTERM: the orderly
     * stop still finds the process running a second later (the process's own safety net waits for
     * it), and the process is gone once the JVM exited.
     */
    @Test
    void aSigtermedJvmRunsItsOrderlyStopBeforeItsProcessesAreStopped(@TempDir Path dir) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "-cp", classpath, ExitOrderProbe.class.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("probe.log").toFile()).start();
        try {
            Path pidFile = dir.resolve(ExitOrderProbe.SLEEPER_PID);
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile) || !jvm.isAlive());
            assertThat(jvm.isAlive()).as("the probe runs; its output: %s", ProbeLog.of(dir)).isTrue();
            long sleeper = Long.parseLong(Files.readString(pidFile).trim());

            jvm.destroy();
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(Files.readString(dir.resolve(ExitOrderProbe.SEEN))).as("output: %s", ProbeLog.of(dir))
                    .isEqualTo("sleeper alive after 1000 ms");
            assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        } finally {
            jvm.destroyForcibly();
        }
    }

    private static boolean bothStarted(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final class ProbeLog {
        static String of(Path dir) {
            try {
                return Files.readString(dir.resolve("probe.log"));
            } catch (Exception e) {
                return "(none)";
            }
        }
    }
}
