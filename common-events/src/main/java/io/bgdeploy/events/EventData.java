package io.bgdeploy.events;

/**
 * The payload of an event. Every implementation is a record registered in {@link EventType}; its
 * compact constructor rejects a payload that misses a required field, so a decoded event is never
 * half-read.
 */
public interface EventData {

    /** The Kafka record key and the CloudEvents {@code subject}. */
    String key();

    /** The registered type of this payload. */
    default EventType eventType() {
        return EventType.of(getClass());
    }
}
