package io.bgdeploy.logshipper.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.gelf.GelfJson;
import io.bgdeploy.logshipper.receiver.GelfSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain unit test: the mapping is a pure function. */
public class GelfMapperTest {

    private static final Instant AT = Instant.parse("2026-11-24T10:15:30.123456789Z");
    private final GelfMapper mapper = new GelfMapper(GelfMapper.Settings.DEFAULTS);

    public static ContainerLogRecord record(String stream, String line) {
        return new ContainerLogRecord(AT, stream, line, "shop", "cart", "3", "cart-3-7f9c", "app", "node-1", "dep-42");
    }

    private JsonNode json(GelfMessage m) throws Exception {
        return GelfSpec.parse(GelfJson.encode(m));
    }

    @Test
    void everyFieldIsMappedForSearchInGraylog() throws Exception {
        JsonNode json = json(mapper.map(record("stdout", "GET /cart 200 12ms")));

        assertThat(json.get("version").asText()).isEqualTo("1.1");
        assertThat(json.get("host").asText()).isEqualTo("cart-3-7f9c");
        assertThat(json.get("short_message").asText()).isEqualTo("GET /cart 200 12ms");
        assertThat(json.has("full_message")).isFalse();
        assertThat(json.get("timestamp").decimalValue()).isEqualByComparingTo("1795515330.123");
        assertThat(json.get("level").asInt()).isEqualTo(GelfLevels.INFO);
        assertThat(json.get("_namespace").asText()).isEqualTo("shop");
        assertThat(json.get("_app").asText()).isEqualTo("cart");
        assertThat(json.get("_version").isTextual()).isTrue();
        assertThat(json.get("_version").asText()).isEqualTo("3");
        assertThat(json.get("_pod").asText()).isEqualTo("cart-3-7f9c");
        assertThat(json.get("_container").asText()).isEqualTo("app");
        assertThat(json.get("_stream").asText()).isEqualTo("stdout");
        assertThat(json.get("_deployment_id").asText()).isEqualTo("dep-42");
        assertThat(json.get("_node").asText()).isEqualTo("node-1");
        assertThat(json.has("_id")).isFalse();
        assertThat(json.has("facility")).isFalse();
    }

    @Test
    void unknownFieldsAreLeftOutRatherThanSentEmpty() throws Exception {
        var r = new ContainerLogRecord(AT, "stdout", "hello", "default", null, null, "web-1", "web", null, null);
        JsonNode json = json(mapper.map(r));
        assertThat(json.has("_app")).isFalse();
        assertThat(json.has("_deployment_id")).isFalse();
        assertThat(json.has("_node")).isFalse();
    }

    @Test
    void multiLineTextKeepsFirstLineShortAndAllOfItFull() throws Exception {
        String trace = "java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n\tat a.B.main(B.java:9)\n";
        JsonNode json = json(mapper.map(record("stderr", trace)));
        assertThat(json.get("short_message").asText()).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(json.get("full_message").asText())
                .isEqualTo("java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n\tat a.B.main(B.java:9)");
        assertThat(json.get("level").asInt()).isEqualTo(GelfLevels.ERROR);
    }

    @Test
    void levelComesFromTheLineBeforeTheStream() throws Exception {
        assertThat(json(mapper.map(record("stderr", "2026-11-24 10:15:30 INFO started in 1.2 s"))).get("level").asInt())
                .isEqualTo(GelfLevels.INFO);
        assertThat(json(mapper.map(record("stdout", "[WARN] pool almost empty"))).get("level").asInt())
                .isEqualTo(GelfLevels.WARNING);
        assertThat(json(mapper.map(record("stdout", "{\"level\":\"error\",\"msg\":\"db down\"}"))).get("level").asInt())
                .isEqualTo(GelfLevels.ERROR);
        assertThat(json(mapper.map(record("stdout", "ts=1 level=debug msg=tick"))).get("level").asInt())
                .isEqualTo(GelfLevels.DEBUG);
        assertThat(json(mapper.map(record("stdout", "FATAL out of memory"))).get("level").asInt())
                .isEqualTo(GelfLevels.CRITICAL);
        assertThat(json(mapper.map(record("stdout", "checked 3 files, no error found"))).get("level").asInt())
                .isEqualTo(GelfLevels.INFO);
        assertThat(json(mapper.map(record("stderr", "something went wrong"))).get("level").asInt())
                .isEqualTo(GelfLevels.ERROR);
    }

    @Test
    void textOutsideTheBasicPlaneArrivesIntact() throws Exception {
        String line = "order 7 shipped \uD83D\uDE9A naïve café 日本";
        JsonNode json = json(mapper.map(record("stdout", line)));
        assertThat(json.get("short_message").asText()).isEqualTo(line);
    }

    @Test
    void controlCharactersAreEscapedSoNoNulEndsATcpFrameEarly() {
        byte[] bytes = GelfJson.encode(mapper.map(record("stdout", "a\u0000b\u001bc")));
        for (byte b : bytes) {
            assertThat(b).isNotEqualTo((byte) 0);
        }
    }

    @Test
    void blankLinesStillHaveAShortMessage() throws Exception {
        assertThat(json(mapper.map(record("stdout", "   "))).get("short_message").asText()).isEqualTo(GelfMapper.EMPTY_TEXT);
        assertThat(json(mapper.map(record("stdout", "\n\nsecond"))).get("short_message").asText()).isEqualTo("second");
    }

    @Test
    void oversizedTextIsCutWithAVisibleMarkerNotDropped() throws Exception {
        String line = "x".repeat(1024 * 1024);
        GelfMessage m = mapper.map(record("stdout", line));
        JsonNode json = json(m);
        String text = json.get("short_message").asText();
        assertThat(text).startsWith("xxxx").endsWith(GelfTruncation.marker(1024 * 1024));
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(32 * 1024);
        assertThat(json.get("_truncated").asText()).isEqualTo("true");
        assertThat(json.get("_original_bytes").asText()).isEqualTo("1048576");
    }

    @Test
    void truncationNeverSplitsACharacter() {
        String line = "\uD83D\uDE00".repeat(20_000);
        GelfMessage m = new GelfMapper(new GelfMapper.Settings(1001, 6, 3)).map(record("stdout", line));
        String text = m.shortMessage();
        String kept = text.substring(0, text.indexOf(" …[truncated"));
        assertThat(kept.length() % 2).isZero();
        assertThat(kept.codePoints()).allMatch(cp -> cp == 0x1F600);
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1001);
    }

    @Test
    void fieldNamesThatGelfForbidsAreRejected() {
        assertThat(GelfMessage.isAllowedFieldName("_deployment_id")).isTrue();
        assertThat(GelfMessage.isAllowedFieldName("_a.b-c")).isTrue();
        assertThat(GelfMessage.isAllowedFieldName("_id")).isFalse();
        assertThat(GelfMessage.isAllowedFieldName("_with space")).isFalse();
        assertThat(GelfMessage.isAllowedFieldName("app")).isFalse();
        assertThatThrownBy(() -> new GelfMessage("h", "m", null, java.math.BigDecimal.ONE, 6, GelfFields.of(java.util.Map.of("_id", "1"))))
                .hasMessageContaining("_id");
    }
}
