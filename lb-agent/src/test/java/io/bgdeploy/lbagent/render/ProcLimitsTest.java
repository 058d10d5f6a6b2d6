package io.bgdeploy.lbagent.render;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcLimitsTest {

    private static final String LIMITS = """
            Limit                     Soft Limit           Hard Limit           Units    \s
            Max processes             63704                63704                processes\s
            Max open files            1024                 20000                files    \s
            Max locked memory         8388608              8388608              bytes    \s
            """;

    @Test
    void theHardOpenFilesLimitIsTheOneHaproxyCanRaiseItselfTo() {
        assertThat(ProcLimits.hardOpenFiles(LIMITS)).isEqualTo(20_000);
        assertThat(ProcLimits.hardOpenFiles(LIMITS.replace("20000  ", "unlimited")))
                .isEqualTo(FileDescriptorBudget.UNLIMITED);
        assertThatThrownBy(() -> ProcLimits.hardOpenFiles("Limit Soft Hard\n")).hasMessageContaining("Max open files");
    }

    @Test
    void countsTheAllowedCpusOfEveryRange() {
        assertThat(ProcLimits.allowedCpus("Name:\tjava\nCpus_allowed:\tf0d\nCpus_allowed_list:\t0-3,8,10-11\n")).isEqualTo(7);
        assertThat(ProcLimits.allowedCpus("Cpus_allowed_list:\t0\n")).isEqualTo(1);
        assertThatThrownBy(() -> ProcLimits.allowedCpus("Name:\tjava\n")).hasMessageContaining("Cpus_allowed_list");
    }

    @Test
    void readsThisProcess() throws Exception {
        String limits = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/limits"));
        String status = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));

        assertThat(ProcLimits.hardOpenFiles(limits)).isPositive();
        assertThat(ProcLimits.allowedCpus(status)).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
