package io.bgdeploy.deployctl;

import picocli.CommandLine.Option;

import java.time.Duration;

/** Which deployment a rollback or undeploy acts on, and how long to wait for it to end. */
final class TargetOptions {

    @Option(names = "--deployment", paramLabel = "ID",
            description = "The deployment to act on. Default: rollback the app's newest, undeploy the one that serves.")
    String deploymentId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Converters.DurationConverter.class,
            description = "Give up waiting after this long. Default: ${DEFAULT-VALUE}")
    Duration timeout;
}
