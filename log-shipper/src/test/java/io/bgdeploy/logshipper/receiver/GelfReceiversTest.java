package io.bgdeploy.logshipper.receiver;

import biz.paluch.logging.gelf.intern.GelfMessage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The test receivers are only as good as their strictness: they must reject what Graylog rejects. */
class GelfReceiversTest {

    private static final String VALID = "{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"hi\",\"timestamp\":1.5,\"level\":6,\"_a\":\"b\"}";

    @Test
    void udpTakesZlibGzipAndPlainPayloads() throws Exception {
        GelfUdpReceiver udp = new GelfUdpReceiver();
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(zlib)) {
            z.write(VALID.getBytes(StandardCharsets.UTF_8));
        }
        udp.handle(zlib.toByteArray());
        udp.handle(VALID.getBytes(StandardCharsets.UTF_8));
        assertThat(udp.messages()).hasSize(2);
        assertThat(udp.rejections()).isEmpty();
    }

    @Test
    void udpRejectsAMessageOfMoreThan128Chunks() {
        GelfMessage m = new GelfMessage();
        m.setVersion("1.1");
        m.setHost("h");
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400_000; i++) {
            text.append((char) ('!' + random.nextInt(94)));
        }
        m.setShortMessage(text.toString());
        m.setFacility(null);
        m.setMaximumMessageSize(1408);
        GelfUdpReceiver udp = new GelfUdpReceiver();
        for (ByteBuffer datagram : m.toUDPBuffers()) {
            byte[] bytes = new byte[datagram.remaining()];
            datagram.get(bytes);
            udp.handle(bytes);
        }
        assertThat(udp.messages()).isEmpty();
        assertThat(udp.rejections()).isNotEmpty().allMatch(r -> r.contains("at most 128"));
    }

    @Test
    void everyReceiverRejectsWhatGelfForbids() {
        GelfUdpReceiver udp = new GelfUdpReceiver();
        udp.handle("{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"x\",\"_id\":\"1\"}".getBytes(StandardCharsets.UTF_8));
        udp.handle("{\"version\":\"1.0\",\"host\":\"h\",\"short_message\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        udp.handle("{\"version\":\"1.1\",\"short_message\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        udp.handle("{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"x\",\"_a b\":\"1\"}".getBytes(StandardCharsets.UTF_8));
        udp.handle("{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"x\",\"level\":9}".getBytes(StandardCharsets.UTF_8));
        udp.handle("{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"x\",\"timestamp\":\"now\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(udp.messages()).isEmpty();
        assertThat(udp.rejections()).hasSize(6);
        assertThat(udp.rejections().get(0)).contains("_id");
    }
}
