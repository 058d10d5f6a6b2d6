package io.bgdeploy.lb.etcd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.TlsMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The JSON values kept in etcd. The reference shapes keep their exact field names so existing
 * confd templates keep working; unknown fields written by other tools are ignored on read.
 */
public final class StoredJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private StoredJson() {
    }

    /** {@code /proxy/frontends/<hostname>}. */
    public record ReferenceFrontend(@JsonProperty("Hostname") String hostname, @JsonProperty("Type") String type,
                                    @JsonProperty("BackendId") String backendId,
                                    @JsonProperty("RedirectWwwPrefix") boolean redirectWwwPrefix) {
    }

    /** {@code /proxy/backends/<backendId>/<server>}. */
    public record ReferenceServer(@JsonProperty("IPAddress") String ipAddress, @JsonProperty("Port") int port,
                                  @JsonProperty("CompressionEnabled") boolean compressionEnabled,
                                  @JsonProperty("AdditionHttpHeaders") List<ReferenceHeader> additionHttpHeaders) {
    }

    public record ReferenceHeader(@JsonProperty("Header") String header, @JsonProperty("Value") String value) {
    }

    /** {@code /bgdeploy/lb/config/frontends/<hostname>}: what the reference layout cannot say. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FrontendOptions(boolean compression, List<HttpHeader> headers, boolean stickySessions, TlsMode tls,
                                  String certificatePath) {
    }

    /**
     * {@code /bgdeploy/lb/config/backends/<backendId>}.
     *
     * @param app {@code <namespace>/<appName>} of the app this backend is a version of (absent in
     *            entries written before it was recorded)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BackendOptions(boolean compression, List<HttpHeader> headers, String healthCheckPath, String app) {
    }

    public enum Outcome { APPLIED, REJECTED }

    /** {@code /bgdeploy/lb/commands/<commandId>}: the one answer a command gets, and whether it was sent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CommandOutcome(String commandId, Outcome outcome, long revision, String reason, boolean answered,
                                 Instant at) {
        public CommandOutcome markAnswered() {
            return new CommandOutcome(commandId, outcome, revision, reason, true, at);
        }

        public CommandOutcome decidedAt(Instant time) {
            return new CommandOutcome(commandId, outcome, revision, reason, answered, time);
        }
    }

    /** {@code /bgdeploy/lb/agents/<agentId>}. */
    public record AgentRegistration(String agentId, String host, Instant startedAt) {
    }

    /**
     * {@code /bgdeploy/lb/agents-expected/<agentId>}: an agent that serves traffic somewhere and is
     * waited for, live or not, until an operator removes it.
     */
    public record ExpectedAgent(String agentId, String host, Instant since) {
    }

    /**
     * {@code /bgdeploy/lb/applied/<agentId>}: the revision the agent's HAProxy serves and, while it
     * cannot move on, the revision it failed at and why.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentProgress(String agentId, long revision, Instant at, String failure, long failedRevision) {

        /**
         * Whether this report can have been written at {@code modRevision}, its key's revision: an
         * agent reports revisions it read, so the report's own write comes after them. One that names
         * its own revision or a later one was written before etcd went back in time (restored from a
         * backup) and says nothing about what the agent serves now.
         */
        public boolean possibleAt(long modRevision) {
            return revision < modRevision && failedRevision < modRevision;
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** As {@link #read}, and a JSON {@code null} is not a value either: an entry that must hold one. */
    public static <T> T readPresent(byte[] json, Class<T> type) {
        T value = read(json, type);
        if (value == null) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": null");
        }
        return value;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
