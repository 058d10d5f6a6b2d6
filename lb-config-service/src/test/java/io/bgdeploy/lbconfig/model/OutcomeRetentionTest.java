package io.bgdeploy.lbconfig.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutcomeRetentionTest {

    private static final Duration KEEP = Duration.ofDays(8);
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private final OutcomeRetention retention = new OutcomeRetention(KEEP);

    @Test
    void aCommandSentLongerAgoThanTheRetentionIsTooOldToApply() {
        assertThat(retention.tooOld(NOW.minus(KEEP).minusMillis(1), NOW)).isTrue();
        assertThat(retention.tooOld(NOW.minus(KEEP), NOW)).isFalse();
        assertThat(retention.tooOld(NOW.minusSeconds(1), NOW)).isFalse();
    }

    @Test
    void anOutcomeIsForgottenOnlyOnceItsCommandIsTooOldEvenForAnInstanceWhoseClockIsAMarginBehind() {
        Instant decided = NOW.minus(KEEP).minus(OutcomeRetention.CLOCK_MARGIN).minusMillis(1);
        assertThat(retention.forgettable(decided, NOW)).isTrue();
        assertThat(retention.forgettable(decided.plusMillis(1), NOW)).isFalse();
        assertThat(retention.forgettable(NOW.minus(KEEP).minusSeconds(1), NOW))
                .as("too old to apply, but within the clocks' margin: kept").isFalse();

        // the command was sent before its outcome was decided; read again by an instance whose clock is behind
        Instant sent = decided.minusMillis(5);
        Instant behind = NOW.minus(OutcomeRetention.CLOCK_MARGIN);
        assertThat(retention.tooOld(sent, behind)).isTrue();
    }

    @Test
    void zeroKeepsEveryOutcomeAndAppliesCommandsOfAnyAge() {
        OutcomeRetention off = new OutcomeRetention(Duration.ZERO);
        assertThat(off.enabled()).isFalse();
        assertThat(off.tooOld(Instant.EPOCH, NOW)).isFalse();
        assertThat(off.forgettable(Instant.EPOCH, NOW)).isFalse();
    }

    @Test
    void aNegativeRetentionIsRefused() {
        assertThatThrownBy(() -> new OutcomeRetention(Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lbconfig.command-outcome-retention");
    }
}
