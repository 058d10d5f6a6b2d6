package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.gelf.GelfMapper;
import io.bgdeploy.logshipper.gelf.GelfMessage;
import io.bgdeploy.logshipper.receiver.GelfTcpReceiver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The TCP transport does not take a write into a dead connection as delivery. */
class TcpGelfTransportTest {

    private static GelfMessage message(String line) {
        return new GelfMapper(GelfMapper.Settings.DEFAULTS).map(new ContainerLogRecord(Instant.now(), "stdout", line,
                "shop", null, null, "web-1", "web", null, null));
    }

    private static boolean verifyFails(GelfTransport transport) {
        try {
            transport.verify();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aWriteIntoAConnectionTheReceiverClosedFailsTheCheck() throws IOException {
        GelfTcpReceiver receiver = new GelfTcpReceiver();
        receiver.start();
        try (GelfTransport tcp = GelfTransports.fromUrl(receiver.url(), GelfTransports.Options.DEFAULTS)) {
            tcp.send(message("first"));
            tcp.flush();
            tcp.verify();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.messages().size() == 1);

            receiver.stop();
            tcp.send(message("into the void"));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    tcp.flush();
                } catch (IOException e) {
                    return true;
                }
                return verifyFails(tcp);
            });
            tcp.reset();
            assertThatThrownBy(() -> {
                tcp.send(message("while down"));
                tcp.flush();
            }).isInstanceOf(IOException.class).hasMessageContaining("cannot connect");

            receiver.start();
            tcp.reset();
            tcp.send(message("into the void"));
            tcp.flush();
            tcp.verify();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.messages().size() >= 2);
        } finally {
            receiver.stop();
        }
        assertThat(receiver.messages()).extracting(m -> m.get("short_message").asText())
                .containsExactly("first", "into the void");
    }

    @Test
    void anInvalidUrlSaysWhatIsExpected() {
        assertThatThrownBy(() -> GelfTransports.fromUrl("graylog:12201", GelfTransports.Options.DEFAULTS))
                .hasMessageContaining("udp://graylog:12201");
        assertThatThrownBy(() -> GelfTransports.fromUrl("tcp://graylog", GelfTransports.Options.DEFAULTS))
                .hasMessageContaining("port is required");
        assertThatThrownBy(() -> GelfTransports.fromUrl("ftp://graylog:21", GelfTransports.Options.DEFAULTS))
                .hasMessageContaining("scheme");
    }
}
