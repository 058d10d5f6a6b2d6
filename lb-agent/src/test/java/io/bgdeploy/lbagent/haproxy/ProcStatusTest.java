package io.bgdeploy.lbagent.haproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing of HAProxy 2.6's {@code show proc}, as captured from the real master. */
class ProcStatusTest {

    private static final String BEFORE = """
            #<PID>          <type>          <reloads>       <uptime>        <version>
            1240            master          1 [failed: 0]   0d00h00m21s     2.6.12-1+deb12u4
            # workers
            1792            worker          0               0d00h00m15s     2.6.12-1+deb12u4
            # programs
            """;
    private static final String AFTER_RELOAD = """
            #<PID>          <type>          <reloads>       <uptime>        <version>
            1240            master          2 [failed: 0]   0d00h00m29s     2.6.12-1+deb12u4
            # workers
            2282            worker          0               0d00h00m02s     2.6.12-1+deb12u4
            # old workers
            1792            worker          1               0d00h00m17s     2.6.12-1+deb12u4
            # programs
            """;
    private static final String AFTER_FAILED_RELOAD = """
            #<PID>          <type>          <reloads>       <uptime>        <version>
            1240            master          2 [failed: 1]   0d00h00m39s     2.6.12-1+deb12u4
            # workers
            1792            worker          1               0d00h00m12s     2.6.12-1+deb12u4
            # programs
            """;

    @Test
    void aNewCurrentWorkerConfirmsTheReload() {
        ProcStatus before = ProcStatus.parse(BEFORE);
        ProcStatus after = ProcStatus.parse(AFTER_RELOAD);

        assertThat(before).isEqualTo(new ProcStatus(1240, 1, 0, List.of(1792L)));
        assertThat(after.workers()).containsExactly(2282L);
        assertThat(after.confirmsReloadAfter(before)).isTrue();
        assertThat(after.showsFailedReloadAfter(before)).isFalse();
    }

    @Test
    void aFailedReloadIsSeenAndNotConfirmed() {
        ProcStatus before = ProcStatus.parse(BEFORE);
        ProcStatus after = ProcStatus.parse(AFTER_FAILED_RELOAD);

        assertThat(after.confirmsReloadAfter(before)).isFalse();
        assertThat(after.showsFailedReloadAfter(before)).isTrue();
    }

    @Test
    void theSameStatusConfirmsNothing() {
        ProcStatus before = ProcStatus.parse(BEFORE);

        assertThat(ProcStatus.parse(BEFORE).confirmsReloadAfter(before)).isFalse();
    }
}
