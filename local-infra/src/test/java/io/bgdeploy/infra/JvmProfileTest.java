package io.bgdeploy.infra;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JvmProfileTest {

    @AfterEach
    void clear() {
        System.clearProperty(JvmProfile.PROPERTY);
    }

    @Test
    void theTestsAndTheLocalRunGetTheFrugalJvmsUnlessProductionIsAskedFor() {
        assertThat(JvmProfile.chosen()).isEqualTo(JvmProfile.FRUGAL);
        assertThat(JvmProfile.FRUGAL.serviceOptions()).contains("-XX:TieredStopAtLevel=1", "-Xmn10m");

        System.setProperty(JvmProfile.PROPERTY, " Production ");
        assertThat(JvmProfile.chosen()).isEqualTo(JvmProfile.PRODUCTION);
        assertThat(JvmProfile.PRODUCTION.serviceOptions()).noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel"));
        assertThat(JvmProfile.PRODUCTION.brokerOptions()).contains("-XX:+UseG1GC");
    }

    @Test
    void anUnknownProfileIsRefusedWithTheValuesItMayTake() {
        System.setProperty(JvmProfile.PROPERTY, "fast");
        assertThatThrownBy(JvmProfile::chosen).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bgdeploy.jvm must be frugal or production, not 'fast'");
    }
}
