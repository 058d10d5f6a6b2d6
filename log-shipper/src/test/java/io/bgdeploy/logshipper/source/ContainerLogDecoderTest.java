package io.bgdeploy.logshipper.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast decoder against {@link EventCodec}, the authority, on the same inputs: the canonical
 * records the producers write, the golden file, and hundreds of variants that EventCodec accepts in
 * other forms or rejects. For every input both give the same record, or the same reason.
 */
class ContainerLogDecoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What EventCodec makes of a value, as the shipper read it before: a record or a reason. */
    private static Object authority(byte[] value) {
        try {
            return EventCodec.decode(new String(value, StandardCharsets.UTF_8), ContainerLogRecord.class).data();
        } catch (MalformedEventException e) {
            return "rejected: " + e.getMessage();
        }
    }

    private static Object fast(byte[] value) {
        try {
            return ContainerLogDecoder.decode(value);
        } catch (MalformedEventException e) {
            return "rejected: " + e.getMessage();
        }
    }

    private static String text(Random random, int length) {
        String alphabet = "abcXYZ 019_-.:/\\\"'\t\n{}[]éßЖ中\u0001\u001f\u2028";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (random.nextInt(40) == 0) {
                sb.append("\uD83D\uDCB3");
            } else {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return sb.toString();
    }

    private static ContainerLogRecord randomRecord(Random random) {
        Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextInt(4) == 0 ? 0
                : random.nextInt(1_000_000_000));
        return new ContainerLogRecord(at, random.nextBoolean() ? "stdout" : "stderr", text(random, random.nextInt(300)),
                "shop", random.nextBoolean() ? "cart" : null, random.nextBoolean() ? "3" : null, "cart-3-7f9c",
                "app", random.nextBoolean() ? "node-1" : null, random.nextBoolean() ? "d-42" : null);
    }

    private static byte[] canonical(ContainerLogRecord record) {
        return EventCodec.encode(EventEnvelope.of("/log-shipper/collector", record));
    }

    @Test
    void whatTheProducersWriteIsReadByTheFastPathWithTheSameResult() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            ContainerLogRecord record = randomRecord(random);
            byte[] value = canonical(record);
            assertThat(ContainerLogDecoder.canonical(value)).as("fast path for %s", new String(value, StandardCharsets.UTF_8))
                    .isEqualTo(record);
            assertThat(fast(value)).isEqualTo(authority(value)).isEqualTo(record);
        }
    }

    @Test
    void theGoldenFileReadsTheSame() throws IOException {
        byte[] golden = Files.readAllBytes(Path.of("../common-events/src/test/resources/golden/logs.container-log.json"));
        assertThat(fast(golden)).isInstanceOf(ContainerLogRecord.class).isEqualTo(authority(golden));
    }

    @Test
    void everyVariantIsAcceptedOrRejectedExactlyAsEventCodecDoes() throws IOException {
        List<String> variants = variants();
        int rejected = 0;
        for (String variant : variants) {
            byte[] value = variant.getBytes(StandardCharsets.UTF_8);
            Object expected = authority(value);
            assertThat(fast(value)).as("decoding %s", variant).isEqualTo(expected);
            if (expected instanceof String) {
                rejected++;
                assertThat(ContainerLogDecoder.canonical(value)).as("fast path must not accept %s", variant).isNull();
            }
        }
        assertThat(rejected).as("variants EventCodec rejects").isGreaterThan(variants.size() / 3);
        assertThat(variants.size()).isGreaterThan(300);
    }

    @Test
    void bytesThatAreNotUtf8AreReadAsTheShipperAlwaysDid() {
        byte[] value = canonical(new ContainerLogRecord(Instant.parse("2026-11-24T10:15:30.123Z"), "stdout", "caf\u00e9",
                "shop", null, null, "p", "c", null, null));
        String json = new String(value, StandardCharsets.UTF_8);
        int at = json.indexOf("caf") + 3;
        byte[] broken = new byte[value.length - 1];
        System.arraycopy(value, 0, broken, 0, at);
        broken[at] = (byte) 0xC3;
        System.arraycopy(value, at + 2, broken, at + 1, value.length - at - 2);
        assertThat(ContainerLogDecoder.canonical(broken)).isNull();
        assertThat(fast(broken)).isEqualTo(authority(broken));
    }

    @Test
    void timestampsOutsideTheCanonicalFormAreLeftToEventCodec() {
        for (String s : List.of("2026-11-24t10:15:30Z", "2026-11-24T10:15:30+00:00", "2026-11-24T23:59:60Z",
                "2026-11-24T24:00:00Z", "2026-02-30T10:15:30Z", "2026-11-24T10:15:30.Z", "2026-11-24T10:15:30.1234567891Z",
                " 2026-11-24T10:15:30Z", "+2026-11-24T10:15:30Z", "1795515330", "2026-11-24T10:15Z")) {
            assertThat(ContainerLogDecoder.instant(s)).as(s).isNull();
        }
        assertThat(ContainerLogDecoder.instant("2026-11-24T10:15:30.000001Z")).isEqualTo(Instant.parse("2026-11-24T10:15:30.000001Z"));
        assertThat(ContainerLogDecoder.instant("1970-01-01T00:00:00Z")).isEqualTo(Instant.EPOCH);
    }

    /** Mutations of a canonical value: fields removed, repeated, retyped, renamed, reordered; times; framing. */
    private static List<String> variants() throws IOException {
        ContainerLogRecord base = new ContainerLogRecord(Instant.parse("2026-11-24T10:15:30.123456789Z"), "stderr",
                "ERROR payment declined", "shop", "cart", "3", "cart-3-7f9c", "app", "node-1", "d-42");
        String good = new String(canonical(base), StandardCharsets.UTF_8);
        ObjectNode root = (ObjectNode) JSON.readTree(good);
        List<String> out = new ArrayList<>();
        List<JsonNode> values = List.of(JSON.nullNode(), JSON.getNodeFactory().numberNode(1), JSON.getNodeFactory().numberNode(1.5),
                JSON.getNodeFactory().booleanNode(true), JSON.createObjectNode(), JSON.createArrayNode(),
                JSON.getNodeFactory().textNode(""), JSON.getNodeFactory().textNode(" "),
                JSON.getNodeFactory().textNode("1795515330"), JSON.getNodeFactory().textNode("2026-11-24T10:15:30+01:00"),
                JSON.getNodeFactory().textNode("2026-11-24t10:15:30z"), JSON.getNodeFactory().textNode("2026-11-24T23:59:60Z"),
                JSON.getNodeFactory().textNode("stdout"), JSON.getNodeFactory().textNode("io.bgdeploy.pod.gone"),
                JSON.getNodeFactory().textNode("1.0"), JSON.getNodeFactory().textNode("application/json"),
                JSON.getNodeFactory().textNode("Shop"), JSON.getNodeFactory().textNode("a\nb"));
        for (String container : List.of("", "data")) {
            ObjectNode node = container.isEmpty() ? root : (ObjectNode) root.get("data");
            List<String> fields = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                fields.add(it.next());
            }
            fields.add("colour");
            for (String field : fields) {
                ObjectNode removed = root.deepCopy();
                target(removed, container).remove(field);
                out.add(removed.toString());
                for (JsonNode v : values) {
                    ObjectNode changed = root.deepCopy();
                    target(changed, container).set(field, v);
                    out.add(changed.toString());
                }
                String repeated = "\"" + field + "\":" + target(root, container).path(field);
                out.add(container.isEmpty() ? good.replaceFirst("\\{", "{" + repeated + ",")
                        : good.replaceFirst("\"data\":\\{", "\"data\":{" + repeated + ","));
            }
        }
        ObjectNode dataFirst = JSON.createObjectNode();
        dataFirst.set("data", root.get("data"));
        root.fields().forEachRemaining(e -> dataFirst.set(e.getKey(), e.getValue()));
        out.add(dataFirst.toString());
        out.add(good + " ");
        out.add(" \n" + good);
        out.add("\uFEFF" + good);
        out.add(good + "{}");
        out.add(good + "x");
        out.add(good.substring(0, good.length() - 1));
        out.add(good.replace("\"stderr\"", "\"std\\u006fut\""));
        out.add("");
        out.add("null");
        out.add("[]");
        out.add("\"text\"");
        out.add(Files.readString(Path.of("../common-events/src/test/resources/golden/pod.gone.json")));
        return out;
    }

    private static ObjectNode target(ObjectNode root, String container) {
        return container.isEmpty() ? root : (ObjectNode) root.get(container);
    }
}
