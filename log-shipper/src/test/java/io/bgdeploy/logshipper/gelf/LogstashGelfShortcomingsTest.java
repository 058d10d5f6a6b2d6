package io.bgdeploy.logshipper.gelf;

import biz.paluch.logging.gelf.intern.GelfMessage;
import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.logshipper.receiver.GelfSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why log-shipper writes GELF JSON and UDP chunks itself instead of with logstash-gelf 1.15.1
 * (archived): these are the library's behaviours, checked against the receiver's spec rules.
 */
class LogstashGelfShortcomingsTest {

    private static GelfMessage message(String text) {
        GelfMessage m = new GelfMessage();
        m.setVersion("1.1");
        m.setHost("cart-3-7f9c");
        m.setShortMessage(text);
        m.setJavaTimestamp(1_795_515_330_123L);
        m.setLevel("6");
        m.addField("version", "1.10");
        m.setFacility(null);
        return m;
    }

    @Test
    void itManglesCharactersOutsideTheBasicPlane() throws Exception {
        JsonNode json = GelfSpec.parse(message("shipped \uD83D\uDE9A").toJson().getBytes());
        assertThat(json.get("short_message").asText()).isNotEqualTo("shipped \uD83D\uDE9A");
    }

    @Test
    void itTurnsVersionStringsIntoNumbersUnlessEveryFieldIsTyped() throws Exception {
        JsonNode json = GelfSpec.parse(message("x").toJson().getBytes());
        assertThat(json.get("_version").isNumber()).isTrue();
        assertThat(json.get("_version").asText()).isNotEqualTo("1.10");
    }

    @Test
    void itAddsTheDeprecatedFacilityField() {
        GelfMessage m = message("x");
        m.setFacility(GelfMessage.DEFAULT_FACILITY);
        assertThat(new GelfMessage().getFacility()).isEqualTo(GelfMessage.DEFAULT_FACILITY);
        assertThat(GelfSpec.problems(readTree(m.toJson()))).anyMatch(p -> p.contains("facility"));
    }

    @Test
    void itDoesNotCapUdpChunksAt128() {
        GelfMessage m = message(GelfUdpEncoderTest.randomText(400_000));
        m.setMaximumMessageSize(1408);
        ByteBuffer[] datagrams = m.toUDPBuffers();
        assertThat(datagrams.length).isGreaterThan(128);
    }

    private static JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
