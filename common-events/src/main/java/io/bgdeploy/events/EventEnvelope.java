package io.bgdeploy.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event in structured JSON mode: the Kafka record value is this object, and the
 * record carries the header {@code content-type: application/cloudevents+json}. Any
 * CloudEvents-aware consumer can read it.
 *
 * @param specversion always {@value #SPEC_VERSION}
 * @param id          unique per event; consumers use it to drop duplicates
 * @param source      the service that produced the event, e.g. {@code /deployer-service}
 * @param type        one of {@link EventType}'s type names
 * @param subject     the record key: {@code <namespace>/<appName>} for deploy-related events
 * @param time        when the event was produced
 * @param datacontenttype always {@value #DATA_CONTENT_TYPE}
 * @param data        the payload
 */
public record EventEnvelope<T extends EventData>(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        T data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";
    /** Content type of a structured-mode CloudEvent, for the Kafka {@code content-type} header. */
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    public EventEnvelope {
        if (!SPEC_VERSION.equals(specversion)) {
            throw new IllegalArgumentException("specversion must be \"1.0\", was " + quoted(specversion));
        }
        Names.requireText(id, "id");
        Names.requireText(source, "source");
        Names.requireText(type, "type");
        Names.requireText(subject, "subject");
        Objects.requireNonNull(time, "time is required");
        if (!DATA_CONTENT_TYPE.equals(datacontenttype)) {
            throw new IllegalArgumentException("datacontenttype must be \"application/json\", was " + quoted(datacontenttype));
        }
        Names.requirePresent(data, "data");
        if (!data.eventType().type().equals(type)) {
            throw new IllegalArgumentException("type '" + type + "' does not match its data ("
                    + data.eventType().type() + ")");
        }
    }

    /** A new event with a random id, the current time, and the data's own type and key. */
    public static <T extends EventData> EventEnvelope<T> of(String source, T data) {
        return of(source, data, Instant.now());
    }

    public static <T extends EventData> EventEnvelope<T> of(String source, T data, Instant time) {
        return new EventEnvelope<>(SPEC_VERSION, UUID.randomUUID().toString(), source,
                data.eventType().type(), data.key(), time, DATA_CONTENT_TYPE, data);
    }

    /** The Kafka record key. */
    public String key() {
        return subject;
    }

    private static String quoted(String s) {
        return s == null ? "missing" : "\"" + Names.printable(s) + "\"";
    }
}
