package io.bgdeploy.logshipper.gelf;

import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfMapperTest;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.receiver.GelfSpec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class GelfUdpEncoderTest {

    private final GelfUdpEncoder encoder = new GelfUdpEncoder(GelfUdpEncoder.DEFAULT_DATAGRAM_BYTES);

    @Test
    void messageWhoseJsonFitsOneDatagramGoesUncompressed() throws Exception {
        GelfMessage m = new GelfMapper(GelfMapper.Settings.DEFAULTS).map(GelfMapperTest.record("stdout", "hello"));
        List<byte[]> datagrams = encoder.encode(m).datagrams();
        assertThat(datagrams).hasSize(1);
        assertThat(datagrams.get(0)).isEqualTo(GelfJson.encode(m));
        assertThat(GelfSpec.parse(GelfSpec.decompress(datagrams.get(0))).get("short_message").asText()).isEqualTo("hello");
    }

    @Test
    void messageTooLargeForOneDatagramIsGzippedAndStaysOneDatagramWhenThatFits() throws Exception {
        String text = "a line that repeats itself ".repeat(100);
        GelfMessage m = new GelfMapper(GelfMapper.Settings.DEFAULTS).map(GelfMapperTest.record("stdout", text.strip()));
        assertThat(GelfJson.encode(m).length).isGreaterThan(GelfUdpEncoder.DEFAULT_DATAGRAM_BYTES);

        List<byte[]> datagrams = encoder.encode(m).datagrams();

        assertThat(datagrams).hasSize(1);
        assertThat(datagrams.get(0)[0] & 0xff).isEqualTo(0x1f);
        assertThat(datagrams.get(0)[1] & 0xff).isEqualTo(0x8b);
        assertThat(GelfSpec.parse(GelfSpec.decompress(datagrams.get(0))).get("short_message").asText()).isEqualTo(text.strip());
    }

    @Test
    void largeMessageIsChunkedPerSpec() throws Exception {
        String text = randomText(60_000);
        GelfMessage m = new GelfMapper(new GelfMapper.Settings(100_000, 6, 3)).map(GelfMapperTest.record("stdout", text));
        List<byte[]> chunks = encoder.encode(m).datagrams();

        assertThat(chunks).hasSizeGreaterThan(1).hasSizeLessThanOrEqualTo(128);
        long id = ByteBuffer.wrap(chunks.get(0), 2, 8).getLong();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            assertThat(c.length).isLessThanOrEqualTo(GelfUdpEncoder.DEFAULT_DATAGRAM_BYTES);
            assertThat(c[0]).isEqualTo((byte) 0x1e);
            assertThat(c[1]).isEqualTo((byte) 0x0f);
            assertThat(ByteBuffer.wrap(c, 2, 8).getLong()).isEqualTo(id);
            assertThat(c[10] & 0xff).isEqualTo(i);
            assertThat(c[11] & 0xff).isEqualTo(chunks.size());
            whole.write(c, 12, c.length - 12);
        }
        assertThat(GelfSpec.parse(GelfSpec.decompress(whole.toByteArray())).get("short_message").asText()).isEqualTo(text);
    }

    @Test
    void messageNeedingMoreThan128ChunksIsCutFurtherNotSentBroken() throws Exception {
        String text = randomText(400_000);
        GelfMessage m = new GelfMapper(new GelfMapper.Settings(1_000_000, 6, 3)).map(GelfMapperTest.record("stdout", text));
        GelfUdpEncoder.Encoded encoded = encoder.encode(m);

        assertThat(encoded.datagrams()).hasSizeLessThanOrEqualTo(128);
        assertThat(encoded.message()).isNotSameAs(m);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        encoded.datagrams().forEach(c -> whole.write(c, 12, c.length - 12));
        var json = GelfSpec.parse(GelfSpec.decompress(whole.toByteArray()));
        String received = json.get("short_message").asText();
        assertThat(received).endsWith(GelfTruncation.marker(400_000));
        assertThat(text).startsWith(received.substring(0, received.indexOf(" …[truncated")));
        assertThat(received.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(100_000);
        assertThat(json.get("_original_bytes").asText()).isEqualTo("400000");
    }

    static String randomText(int length) {
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) (33 + random.nextInt(94)));
        }
        return sb.toString();
    }
}
