package io.bgdeploy.lbconfig.model;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a command's outcome stays in etcd, and so how old a command may be to be applied. The
 * outcome is what answers a command read again (a redelivery, a replay of lb-commands) without
 * applying it twice; once it is forgotten, the same command would be applied anew, perhaps
 * switching a host back to a version replaced since. So a command sent longer ago than the
 * retention is refused unapplied, and an outcome is forgotten only {@link #CLOCK_MARGIN} later
 * than that, for the clocks of the producer and of the instances, which may differ.
 *
 * @param keep how long an outcome is kept; zero keeps every outcome and applies commands of any age
 */
public record OutcomeRetention(Duration keep) {

    /** How far apart the clocks that stamp a command and its outcome may be. */
    public static final Duration CLOCK_MARGIN = Duration.ofHours(1);

    public OutcomeRetention {
        if (keep.isNegative()) {
            throw new IllegalArgumentException("lbconfig.command-outcome-retention must not be negative, not " + keep);
        }
    }

    /** Whether outcomes are forgotten at all. */
    public boolean enabled() {
        return !keep.isZero();
    }

    /** A command sent at {@code sentAt} is too old to apply: its outcome may be forgotten already. */
    public boolean tooOld(Instant sentAt, Instant now) {
        return enabled() && sentAt.isBefore(now.minus(keep));
    }

    /**
     * An outcome decided at {@code decidedAt} may be forgotten: its command, read again now, is too
     * old to be applied even by an instance whose clock is {@link #CLOCK_MARGIN} behind.
     */
    public boolean forgettable(Instant decidedAt, Instant now) {
        return enabled() && decidedAt.isBefore(now.minus(keep).minus(CLOCK_MARGIN));
    }
}
