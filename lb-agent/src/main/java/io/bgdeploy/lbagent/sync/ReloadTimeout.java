package io.bgdeploy.lbagent.sync;

import java.time.Duration;

/**
 * How long a reload (or a start) of HAProxy may take until it counts as failed. A new worker
 * parses and checks every backend section before it takes over, so the time grows with the
 * configuration: a fixed limit that fits ten apps wrongly fails a good reload of thousands on a
 * busy machine (2.7 s for 10,000 sections idle, 8.6 s loaded, in lb-agent's scale benchmark).
 *
 * @param base                the limit for a small configuration
 * @param perThousandSections added for every 1,000 backend sections
 */
public record ReloadTimeout(Duration base, Duration perThousandSections) {

    public ReloadTimeout {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("the reload timeout must be positive, got " + base);
        }
        if (perThousandSections.isNegative()) {
            throw new IllegalArgumentException("the reload timeout per 1,000 sections must not be negative, got "
                    + perThousandSections);
        }
    }

    /** A limit that does not grow with the configuration. */
    public static ReloadTimeout fixed(Duration limit) {
        return new ReloadTimeout(limit, Duration.ZERO);
    }

    /** The limit for a configuration of {@code sections} backend sections. */
    public Duration forSections(int sections) {
        return base.plus(perThousandSections.multipliedBy(sections).dividedBy(1000));
    }
}
