package io.bgdeploy.lbagent.sync;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The time a reload may take grows with the configuration, so a good reload of thousands of apps is not failed. */
class ReloadTimeoutTest {

    private final ReloadTimeout timeout = new ReloadTimeout(Duration.ofSeconds(10), Duration.ofSeconds(5));

    @Test
    void aSmallConfigurationGetsTheBase() {
        assertThat(timeout.forSections(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(timeout.forSections(20)).isEqualTo(Duration.ofMillis(10_100));
    }

    @Test
    void thousandsOfSectionsGetTheAllowanceForEachThousand() {
        assertThat(timeout.forSections(2_000)).isEqualTo(Duration.ofSeconds(20));
        assertThat(timeout.forSections(10_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aFixedTimeoutDoesNotGrow() {
        assertThat(ReloadTimeout.fixed(Duration.ofSeconds(3)).forSections(10_000)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aTimeoutThatCannotBeMetIsRefusedWithTheValue() {
        assertThatThrownBy(() -> new ReloadTimeout(Duration.ZERO, Duration.ofSeconds(5))).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new ReloadTimeout(Duration.ofSeconds(10), Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
    }
}
