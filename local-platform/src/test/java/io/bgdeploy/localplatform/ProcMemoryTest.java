package io.bgdeploy.localplatform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcMemoryTest {

    @Test
    void theParentPidIsFoundEvenWhenTheCommandNameHoldsSpacesAndParentheses() {
        assertThat(ProcMemory.parentPid("4242 (my (odd) app) S 17 4242 4242 0 -1 4194560 1\n")).isEqualTo(17);
    }

    @Test
    void residentMemoryIsReadInBytesAndIsZeroWhenTheKernelGivesNone() {
        assertThat(ProcMemory.vmRssBytes("Name:\tsh\nVmPeak:\t  9000 kB\nVmRSS:\t    5684 kB\nRssAnon:\t 4000 kB\n"))
                .isEqualTo(5684L * 1024);
        assertThat(ProcMemory.vmRssBytes("Name:\tkthreadd\nState:\tS (sleeping)\n")).isZero();
    }

    @Test
    void aTreeCountsTheMemoryOfTheProcessAndItsDescendants() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            long self = ProcessHandle.current().pid();
            ProcMemory.Snapshot snapshot = ProcMemory.snapshot();
            assertThat(snapshot.children().get(self)).contains(child.pid());
            assertThat(snapshot.treeRss(self)).isGreaterThan(ProcMemory.rssBytes(self));
        } finally {
            child.destroyForcibly();
        }
    }
}
