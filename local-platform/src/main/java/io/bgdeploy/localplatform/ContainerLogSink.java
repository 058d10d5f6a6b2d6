package io.bgdeploy.localplatform;

import io.bgdeploy.events.logs.ContainerLogRecord;

import java.util.concurrent.CompletionStage;

/**
 * Where the local platform delivers container log lines. The returned stage completes once the
 * record is stored for good (for Kafka: acknowledged); only then does the line's position in its
 * log file count as delivered, so that a line is read again after a failure or a restart.
 */
@FunctionalInterface
public interface ContainerLogSink {

    CompletionStage<?> deliver(ContainerLogRecord record);
}
