package io.bgdeploy.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;

/**
 * JSON serde of {@link EventEnvelope}s, strict on input: an unknown type, an unknown or duplicate
 * field, a missing required field, a wrong JSON type or trailing text is rejected with a
 * {@link MalformedEventException} whose message says what was wrong, so the record can go to its
 * dead-letter topic with that reason. Thread-safe.
 */
public final class EventCodec {

    /** Upper bound of a record value; larger records are rejected before parsing. */
    public static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

    private static final Set<String> ENVELOPE_FIELDS =
            Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    /** {@link #MAPPER} but for unknown fields: see {@link #storedStateMapper()}. */
    private static final ObjectMapper STORED_STATE = MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    /** The strict mapper, for services that read or write the same types elsewhere (REST, etcd). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The strict mapper but for fields it does not know, for the suite's own stored state (the
     * deployer's etcd records, the local platform's files): during a rolling upgrade, or after a
     * rollback, a version reads what a later one wrote, and a field added since must not make that
     * unreadable. The reader drops the field if it writes the value again. Input from outside (REST,
     * Kafka) stays with {@link #mapper()}, unknown fields rejected.
     */
    public static ObjectMapper storedStateMapper() {
        return STORED_STATE;
    }

    public static byte[] encode(EventEnvelope<?> event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event.type(), e);
        }
    }

    public static String encodeToString(EventEnvelope<?> event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    public static EventEnvelope<?> decode(String value) throws MalformedEventException {
        if (value == null) {
            throw new MalformedEventException("record has no value");
        }
        return decode(value.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a record value into an event of any registered type. */
    public static EventEnvelope<?> decode(byte[] value) throws MalformedEventException {
        if (value == null || value.length == 0) {
            throw new MalformedEventException("record has no value");
        }
        if (value.length > MAX_RECORD_BYTES) {
            throw new MalformedEventException("record of " + value.length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new MalformedEventException("not JSON: " + reasonOf(e), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new MalformedEventException("not a JSON object: expected a CloudEvent in structured JSON mode");
        }
        ObjectNode root = (ObjectNode) tree;
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!ENVELOPE_FIELDS.contains(field)) {
                throw new MalformedEventException("unknown CloudEvent attribute '" + Names.printable(field) + "'");
            }
        }
        String type = text(root, "type");
        EventType eventType = EventType.ofType(type).orElseThrow(() -> new MalformedEventException(
                "unknown event type '" + Names.printable(type) + "'"));
        EventData data;
        try {
            JsonNode dataNode = root.get("data");
            if (dataNode == null || !dataNode.isObject()) {
                throw new MalformedEventException("data of " + type + " is missing or not a JSON object");
            }
            data = MAPPER.treeToValue(dataNode, eventType.dataClass());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedEventException("invalid " + type + ": " + reasonOf(e), e);
        }
        try {
            Instant time = MAPPER.treeToValue(root.get("time"), Instant.class);
            return new EventEnvelope<>(text(root, "specversion"), text(root, "id"), text(root, "source"), type,
                    text(root, "subject"), time, text(root, "datacontenttype"), data);
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedEventException("invalid CloudEvent: " + reasonOf(e), e);
        }
    }

    /** Decodes and insists on one payload type. */
    public static <T extends EventData> EventEnvelope<T> decode(byte[] value, Class<T> dataClass)
            throws MalformedEventException {
        EventEnvelope<?> event = decode(value);
        if (!dataClass.isInstance(event.data())) {
            throw new MalformedEventException("expected " + EventType.of(dataClass).type() + " but got " + event.type());
        }
        @SuppressWarnings("unchecked")
        EventEnvelope<T> typed = (EventEnvelope<T>) event;
        return typed;
    }

    public static <T extends EventData> EventEnvelope<T> decode(String value, Class<T> dataClass)
            throws MalformedEventException {
        if (value == null) {
            throw new MalformedEventException("record has no value");
        }
        return decode(value.getBytes(StandardCharsets.UTF_8), dataClass);
    }

    /** Reads any JSON value (descriptors from REST or etcd) with the same strict rules. */
    public static <T> T read(byte[] json, Class<T> type) throws MalformedEventException {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedEventException(reasonOf(e), e);
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(ObjectNode root, String field) throws MalformedEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedEventException("CloudEvent attribute '" + field + "' is missing");
        }
        if (!node.isTextual()) {
            throw new MalformedEventException("CloudEvent attribute '" + field + "' must be a string");
        }
        return node.asText();
    }

    /** A one-line reason without Jackson's source excerpts. */
    static String reasonOf(Throwable e) {
        Throwable t = e;
        if (t instanceof ValueInstantiationException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + Names.printable(u.getPropertyName()) + "'" + at(u);
        }
        if (t instanceof InvalidFormatException f) {
            return "value " + Names.printable(String.valueOf(f.getValue())) + " is not a valid "
                    + f.getTargetType().getSimpleName() + at(f);
        }
        if (t instanceof JsonProcessingException j) {
            String msg = j.getOriginalMessage();
            if (msg != null) {
                int nl = msg.indexOf('\n');
                msg = nl > 0 ? msg.substring(0, nl) : msg;
            }
            return Names.printable(msg) + at(j);
        }
        return Names.printable(t.getMessage());
    }

    private static String at(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return " (at " + path + ")";
        }
        return "";
    }

}
