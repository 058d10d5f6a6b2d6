package io.bgdeploy.logshipper.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.EventType;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.logs.ContainerLogRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads a {@code container-logs} record value exactly as {@link EventCodec} does, only faster.
 * <p>
 * {@link EventCodec} is the authority: it builds a JSON tree, binds it with Jackson databind and
 * rejects anything unexpected, which costs several microseconds a record, the largest cost of
 * shipping. Nearly every record is in the one form the suite's producers write, so a single pass
 * over the tokens recognises that form: the eight CloudEvent attributes and the known
 * ContainerLogRecord fields, each once, as strings, timestamps as {@code yyyy-MM-ddTHH:mm:ss[.f]Z},
 * nothing after the object. The same constructors then validate the values. Anything else (an
 * unknown or repeated field, a null, a number, another time format, bad JSON, a constructor that
 * refuses) is handed to {@link EventCodec}, which accepts or rejects it with its own reason. The
 * fast path therefore accepts only what {@link EventCodec} accepts, with the same result, and
 * rejects nothing itself; {@code ContainerLogDecoderTest} checks both on the same inputs.
 */
public final class ContainerLogDecoder {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String TYPE = EventType.CONTAINER_LOG.type();

    private static final int SPECVERSION = 1;
    private static final int ID = 1 << 1;
    private static final int SOURCE = 1 << 2;
    private static final int TYPE_FIELD = 1 << 3;
    private static final int SUBJECT = 1 << 4;
    private static final int TIME = 1 << 5;
    private static final int DATACONTENTTYPE = 1 << 6;
    private static final int DATA = 1 << 7;
    private static final int ALL = (1 << 8) - 1;

    private ContainerLogDecoder() {
    }

    /** Decodes a record value; throws with {@link EventCodec}'s reason if it is not a valid ContainerLogRecord event. */
    public static ContainerLogRecord decode(byte[] value) throws MalformedEventException {
        ContainerLogRecord record = value == null || value.length > EventCodec.MAX_RECORD_BYTES ? null : canonical(value);
        if (record != null) {
            return record;
        }
        return EventCodec.decode(value == null ? null : new String(value, StandardCharsets.UTF_8), ContainerLogRecord.class).data();
    }

    /** The record if the value is in the canonical form, else {@code null}. */
    static ContainerLogRecord canonical(byte[] value) {
        try (JsonParser json = JSON.createParser(value)) {
            return canonical(json);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static ContainerLogRecord canonical(JsonParser json) throws IOException {
        if (json.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String specversion = null;
        String id = null;
        String source = null;
        String type = null;
        String subject = null;
        Instant time = null;
        String datacontenttype = null;
        ContainerLogRecord data = null;
        int seen = 0;
        String name;
        while ((name = json.nextFieldName()) != null) {
            int bit;
            if ("data".equals(name)) {
                bit = DATA;
                data = data(json);
                if (data == null) {
                    return null;
                }
            } else {
                String text = string(json);
                if (text == null) {
                    return null;
                }
                switch (name) {
                    case "specversion" -> { bit = SPECVERSION; specversion = text; }
                    case "id" -> { bit = ID; id = text; }
                    case "source" -> { bit = SOURCE; source = text; }
                    case "type" -> { bit = TYPE_FIELD; type = text; }
                    case "subject" -> { bit = SUBJECT; subject = text; }
                    case "time" -> { bit = TIME; time = instant(text); }
                    case "datacontenttype" -> { bit = DATACONTENTTYPE; datacontenttype = text; }
                    default -> {
                        return null;
                    }
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        if (specversion == null || id == null || source == null || type == null || subject == null || time == null
                || datacontenttype == null || data == null) {
            return null;
        }
        if (seen != ALL || json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null || !TYPE.equals(type)) {
            return null;
        }
        new EventEnvelope<>(specversion, id, source, type, subject, time, datacontenttype, data);
        return data;
    }

    private static ContainerLogRecord data(JsonParser json) throws IOException {
        if (json.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Instant timestamp = null;
        String stream = null;
        String line = null;
        String namespace = null;
        String app = null;
        String version = null;
        String pod = null;
        String container = null;
        String node = null;
        String deploymentId = null;
        int seen = 0;
        String name;
        while ((name = json.nextFieldName()) != null) {
            int bit;
            String text = string(json);
            if (text == null) {
                return null;
            }
            switch (name) {
                case "timestamp" -> { bit = 1; timestamp = instant(text); }
                case "stream" -> { bit = 1 << 1; stream = text; }
                case "line" -> { bit = 1 << 2; line = text; }
                case "namespace" -> { bit = 1 << 3; namespace = text; }
                case "app" -> { bit = 1 << 4; app = text; }
                case "version" -> { bit = 1 << 5; version = text; }
                case "pod" -> { bit = 1 << 6; pod = text; }
                case "container" -> { bit = 1 << 7; container = text; }
                case "node" -> { bit = 1 << 8; node = text; }
                case "deploymentId" -> { bit = 1 << 9; deploymentId = text; }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0 || bit == 1 && timestamp == null) {
                return null;
            }
            seen |= bit;
        }
        if (json.currentToken() != JsonToken.END_OBJECT) {
            return null;
        }
        return new ContainerLogRecord(timestamp, stream, line, namespace, app, version, pod, container, node, deploymentId);
    }

    /** The next value if it is a string, else {@code null}. */
    private static String string(JsonParser json) throws IOException {
        return json.nextToken() == JsonToken.VALUE_STRING ? json.getText() : null;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in its range, as Java's ISO instant
     * parser reads it; {@code null} for anything else, including forms that parser also accepts
     * (lower case, offsets, leap seconds, 24:00), which {@link EventCodec} then reads itself.
     */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            int value = digits(s, 20, fraction);
            if (value < 0) {
                return null;
            }
            nanos = value;
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The decimal value of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
