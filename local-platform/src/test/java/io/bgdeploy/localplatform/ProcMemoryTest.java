package io.bgdeploy.localplatform;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcMemoryTest {

    @Test
    void residentMemoryIsReadInBytesAndIsZeroWhenTheKernelGivesNone() {
        assertThat(ProcMemory.vmRssBytes("Name:\tsh\nVmPeak:\t  9000 kB\nVmRSS:\t    5684 kB\nRssAnon:\t 4000 kB\n"))
                .isEqualTo(5684L * 1024);
        assertThat(ProcMemory.vmRssBytes("Name:\tkthreadd\nState:\tS (sleeping)\n")).isZero();
    }

    @Test
    void aTreeCountsTheMemoryOfTheProcessAndItsDescendants() throws Exception {
        // a shell that only waits for its child: its own memory stays put while the tree is read
        // (this test's JVM may grow between two reads by more than a process that has just started)
        Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.descendants()
                    .anyMatch(child -> ProcMemory.rssBytes(child.pid()) > 0));
            assertThat(ProcMemory.treeRss(shell.toHandle())).isGreaterThan(ProcMemory.rssBytes(shell.pid()));
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }
}
