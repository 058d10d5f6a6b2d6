package io.bgdeploy.events.logs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

import java.time.Instant;

/**
 * One log line (or one joined multi-line event) of a container.
 *
 * @param stream {@code stdout} or {@code stderr}
 * @param line   the text, without the trailing newline; may contain newlines when joined
 * @param app    absent when the collector cannot tell (files of pods the deployer did not start)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerLogRecord(Instant timestamp, String stream, String line, String namespace, String app,
                                 String version, String pod, String container, String node, String deploymentId)
        implements EventData {

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";

    public ContainerLogRecord {
        Names.requirePresent(timestamp, "timestamp");
        if (!STDOUT.equals(stream) && !STDERR.equals(stream)) {
            throw new IllegalArgumentException("stream '" + Names.printable(stream) + "' must be stdout or stderr");
        }
        Names.requirePresent(line, "line");
        Names.requireNamespace(namespace);
        Names.requireText(pod, "pod");
        Names.requireText(container, "container");
    }

    @Override
    public String key() {
        return Keys.pod(namespace, pod);
    }
}
