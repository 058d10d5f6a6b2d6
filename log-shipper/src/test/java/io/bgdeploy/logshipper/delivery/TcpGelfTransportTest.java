package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.receiver.GelfTcpReceiver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The TCP transport does not take a write into a dead connection as delivery. */
class TcpGelfTransportTest {

    private static final GelfTransports.Options OPTIONS = new GelfTransports.Options(Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofMillis(250), 1420, 4, 64 * 1024, true, Optional.empty());

    private static void send(GelfTransport transport, String line) throws IOException {
        GelfMessage message = message(line);
        transport.send(transport.encode(message));
    }

    private static GelfMessage message(String line) {
        return new GelfMapper(GelfMapper.Settings.DEFAULTS).map(new ContainerLogRecord(Instant.now(), "stdout", line,
                "shop", null, null, "web-1", "web", null, null));
    }

    /** Sends one more message and settles; returns the failure, or null while the transport sees none. */
    private static IOException sendAndSettle(GelfTransport tcp, String line, AtomicInteger settled) {
        try {
            send(tcp, line);
            tcp.flush();
            settled.addAndGet(tcp.settle().settled());
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * The reported loss: record A written, the receiver resets the connection without reading it,
     * and the next flush used to reconnect silently, so A was vouched for a confirm delay later.
     */
    @Test
    void aConnectionResetBeforeItsWritesAreSettledFailsInsteadOfReconnectingSilently() throws Exception {
        AtomicBoolean wasReset = new AtomicBoolean();
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             GelfTransport tcp = GelfTransports.fromUrl("tcp://127.0.0.1:" + server.getLocalPort(), OPTIONS)) {
            Thread resetter = new Thread(() -> {
                try (Socket first = server.accept(); InputStream in = first.getInputStream()) {
                    in.read();
                    first.setSoLinger(true, 0);
                    first.close();
                    wasReset.set(true);
                    while (!server.isClosed()) {
                        try (Socket next = server.accept()) {
                            next.getInputStream().transferTo(OutputStream.nullOutputStream());
                        }
                    }
                } catch (IOException ignored) {
                    // server closed by the test
                }
            });
            resetter.setDaemon(true);
            resetter.start();

            send(tcp, "A");
            tcp.flush();
            await().atMost(Duration.ofSeconds(10)).untilTrue(wasReset);

            AtomicInteger settled = new AtomicInteger();
            IOException failure = await().atMost(Duration.ofSeconds(10)).until(() -> sendAndSettle(tcp, "B", settled),
                    e -> e != null);
            assertThat(failure).hasMessageContaining("unconfirmed messages");
            assertThat(settled).as("messages vouched for although A was reset unread").hasValue(0);
        }
    }

    @Test
    void aWriteIntoAConnectionTheReceiverClosedIsNotSettledAndGoesAgainAfterAReset() throws IOException {
        GelfTcpReceiver receiver = new GelfTcpReceiver();
        receiver.start();
        try (GelfTransport tcp = GelfTransports.fromUrl(receiver.url(), OPTIONS)) {
            send(tcp, "first");
            tcp.flush();
            AtomicInteger settled = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                settled.addAndGet(tcp.settle().settled());
                return settled.get() == 1;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.messages().size() == 1);

            receiver.stop();
            AtomicInteger settledAfterStop = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).until(() -> sendAndSettle(tcp, "into the void", settledAfterStop) != null);
            assertThat(settledAfterStop).hasValue(0);
            tcp.reset();
            assertThatThrownBy(() -> {
                send(tcp, "while down");
                tcp.flush();
            }).isInstanceOf(IOException.class).hasMessageContaining("cannot connect");

            receiver.start();
            tcp.reset();
            send(tcp, "into the void");
            tcp.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> tcp.settle().settled() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.messages().size() >= 2);
        } finally {
            receiver.stop();
        }
        assertThat(receiver.messages()).extracting(m -> m.get("short_message").asText())
                .containsExactly("first", "into the void");
    }

    @Test
    void anInvalidUrlSaysWhatIsExpected() {
        assertThatThrownBy(() -> GelfTransports.fromUrl("graylog:12201", OPTIONS))
                .hasMessageContaining("http://graylog:12202/gelf");
        assertThatThrownBy(() -> GelfTransports.fromUrl("tcp://graylog", OPTIONS))
                .hasMessageContaining("port is required");
        assertThatThrownBy(() -> GelfTransports.fromUrl("ftp://graylog:21", OPTIONS))
                .hasMessageContaining("scheme");
    }
}
