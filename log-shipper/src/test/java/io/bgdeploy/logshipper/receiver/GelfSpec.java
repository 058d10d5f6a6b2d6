package io.bgdeploy.logshipper.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The GELF 1.1 rules as a receiver applies them, strictly: {@code version} "1.1", {@code host} and
 * {@code short_message} non-empty strings, {@code full_message} a string, {@code timestamp} a
 * number, {@code level} an integer 0..7, every other field named {@code _…} matching
 * {@code ^[\w.\-]*$}, never {@code _id}, with a string or number value. Deprecated fields
 * (facility, line, file) are rejected too: a shipper for Graylog today has no reason to send them.
 */
public final class GelfSpec {

    public static final Pattern FIELD_NAME = Pattern.compile("^[\\w.\\-]*$");
    private static final Set<String> STANDARD = Set.of("version", "host", "short_message", "full_message", "timestamp", "level");

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private GelfSpec() {
    }

    /** Parses and validates one message; throws with every problem found. */
    public static JsonNode parse(byte[] json) throws InvalidGelfException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new InvalidGelfException("not JSON: " + e.getMessage());
        }
        List<String> problems = problems(node);
        if (!problems.isEmpty()) {
            throw new InvalidGelfException(String.join("; ", problems));
        }
        return node;
    }

    public static List<String> problems(JsonNode node) {
        List<String> problems = new ArrayList<>();
        if (node == null || !node.isObject()) {
            return List.of("not a JSON object");
        }
        if (!node.path("version").isTextual() || !"1.1".equals(node.get("version").asText())) {
            problems.add("version must be the string \"1.1\"");
        }
        requireText(node, "host", problems);
        requireText(node, "short_message", problems);
        if (node.has("full_message") && !node.get("full_message").isTextual()) {
            problems.add("full_message must be a string");
        }
        if (node.has("timestamp") && !node.get("timestamp").isNumber()) {
            problems.add("timestamp must be a number (seconds since the epoch)");
        }
        if (node.has("level")) {
            JsonNode level = node.get("level");
            if (!level.isIntegralNumber() || level.asInt() < 0 || level.asInt() > 7) {
                problems.add("level must be a syslog level 0..7");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (STANDARD.contains(name)) {
                continue;
            }
            if (!name.startsWith("_")) {
                problems.add("field '" + name + "' is neither a GELF field nor an additional field starting with '_'");
            } else if ("_id".equals(name)) {
                problems.add("additional field _id is forbidden");
            } else if (!FIELD_NAME.matcher(name).matches() || name.length() < 2) {
                problems.add("additional field name '" + name + "' does not match ^[\\w\\.\\-]*$");
            } else if (!field.getValue().isTextual() && !field.getValue().isNumber()) {
                problems.add("additional field " + name + " must be a string or a number");
            }
        }
        return problems;
    }

    private static void requireText(JsonNode node, String field, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add(field + " is required and must be a non-empty string");
        }
    }

    /** Undoes the compression a GELF UDP or HTTP payload may have: gzip, zlib, or none. */
    public static byte[] decompress(byte[] payload) throws InvalidGelfException {
        if (payload.length >= 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b) {
            return inflate(new ByteArrayInputStream(payload), true);
        }
        if (payload.length >= 2 && (payload[0] & 0xff) == 0x78
                && (((payload[0] & 0xff) << 8) | (payload[1] & 0xff)) % 31 == 0) {
            return inflate(new ByteArrayInputStream(payload), false);
        }
        if (payload.length >= 1 && payload[0] == '{') {
            return payload;
        }
        throw new InvalidGelfException("payload is neither gzip, zlib nor uncompressed JSON");
    }

    private static byte[] inflate(InputStream in, boolean gzip) throws InvalidGelfException {
        try (InputStream z = gzip ? new GZIPInputStream(in) : new InflaterInputStream(in)) {
            return z.readAllBytes();
        } catch (IOException e) {
            throw new InvalidGelfException("cannot decompress: " + e.getMessage());
        }
    }

    public static final class InvalidGelfException extends Exception {
        public InvalidGelfException(String message) {
            super(message);
        }
    }
}
